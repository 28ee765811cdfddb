{{/* Chart name, overridable with nameOverride. */}}
{{- define "hostup-iso-worker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release name plus chart name, unless the release name already contains it. */}}
{{- define "hostup-iso-worker.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hostup-iso-worker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades. */}}
{{- define "hostup-iso-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hostup-iso-worker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "hostup-iso-worker.labels" -}}
helm.sh/chart: {{ include "hostup-iso-worker.chart" . }}
{{ include "hostup-iso-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/part-of: hostup-iso-worker
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* metadata.annotations block (indented for metadata, with a leading newline) for commonAnnotations plus extra annotations (dict "ctx" . "extra" map). */}}
{{- define "hostup-iso-worker.annotations" -}}
{{- $all := merge (deepCopy (.extra | default dict)) (.ctx.Values.commonAnnotations | default dict) }}
{{- with $all }}
  annotations:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}

{{- define "hostup-iso-worker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hostup-iso-worker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hostup-iso-worker.image" -}}
{{- $repo := .Values.image.repository }}
{{- $registry := (.Values.global).imageRegistry | default .Values.image.registry }}
{{- if $registry }}
{{- $repo = printf "%s/%s" $registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the HostUp API key. */}}
{{- define "hostup-iso-worker.apiTokenSecretName" -}}
{{- default (include "hostup-iso-worker.fullname" .) .Values.hostup.existingSecret }}
{{- end }}

{{/* True when a CA bundle for the HostUp API is mounted (from a ConfigMap or a Secret). */}}
{{- define "hostup-iso-worker.caEnabled" -}}
{{- if or .Values.hostup.ca.existingConfigMap .Values.hostup.ca.existingSecret }}true{{ end }}
{{- end }}

{{/*
Renders a value that may hold templates, as bitnami's common.tplvalues.render does:
(dict "value" .Values.x "ctx" $). Lets extension points refer to the release, e.g. {{ .Release.Name }}.
*/}}
{{- define "hostup-iso-worker.tplvalues" -}}
{{- if typeIs "string" .value }}
{{- tpl .value .ctx }}
{{- else }}
{{- tpl (.value | toYaml) .ctx }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the SASL JAAS configuration. */}}
{{- define "hostup-iso-worker.saslSecretName" -}}
{{- default (include "hostup-iso-worker.fullname" .) .Values.kafka.sasl.existingSecret }}
{{- end }}

{{/* True when SASL JAAS configuration is provided (chart-made or existing Secret). */}}
{{- define "hostup-iso-worker.saslEnabled" -}}
{{- if or .Values.kafka.sasl.jaasConfig .Values.kafka.sasl.existingSecret }}true{{ end }}
{{- end }}

{{/* Termination grace period: explicit, or the shutdown timeout plus 15 s. */}}
{{- define "hostup-iso-worker.terminationGracePeriodSeconds" -}}
{{- $shutdown := int .Values.worker.shutdownTimeoutSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $shutdown 15 }}
{{- else }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if le $grace $shutdown }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed worker.shutdownTimeoutSeconds (%d) or in-flight work is killed before graceful shutdown ends" $grace $shutdown) }}
{{- end }}
{{- $grace }}
{{- end }}
{{- end }}

{{/*
Cross-value checks the JSON schema cannot express. The two values every install must choose use
`required`, so that `helm lint` of the bare chart still passes (lint only reports them) while
`helm install` and `helm template` fail with the message.
*/}}
{{- define "hostup-iso-worker.validate" -}}
{{- $_ := required "hostup.existingSecret (recommended) or hostup.apiToken is required: the worker refuses to start without a HostUp API key (scopes read:vm, write:vm, write:storage). Create a Secret, e.g. `kubectl create secret generic hostup-api --from-literal=api-token=<key>`, and set `--set hostup.existingSecret=hostup-api`; or set `--set hostup.apiToken=<key>` to let the chart make one." (or .Values.hostup.existingSecret .Values.hostup.apiToken) }}
{{- $_ = required "image.repository is required: no image of hostup-iso-worker is published. Build it from src/main/docker/Dockerfile.jvm and push it to your registry (chart README, \"Build the image\"), then set image.repository (and image.registry, image.tag or image.digest), e.g. `--set image.registry=registry.example.com --set image.repository=hostup-iso-worker`." .Values.image.repository }}
{{- with .Values.hostup.proxy }}
{{- if contains "@" .url }}
{{- fail "hostup.proxy.url must not carry credentials (it is stored in a ConfigMap): put the username and password in a Secret and set hostup.proxy.existingSecret" }}
{{- end }}
{{- if and .existingSecret (not .url) }}
{{- fail "hostup.proxy.existingSecret is set but hostup.proxy.url is empty: set the proxy's URL, e.g. http://proxy.corp:3128" }}
{{- end }}
{{- end }}
{{- if and .Values.hostup.ca.existingConfigMap .Values.hostup.ca.existingSecret }}
{{- fail "hostup.ca.existingConfigMap and hostup.ca.existingSecret are exclusive: the CA bundle comes from one of them" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.extraMetrics) }}
{{- fail "autoscaling.enabled needs a metric: set autoscaling.targetCPUUtilizationPercentage or autoscaling.extraMetrics" }}
{{- end }}
{{- if and .Values.keda.enabled .Values.keda.fallback.enabled (not (kindIs "invalid" .Values.keda.fallback.replicas)) (gt (int .Values.keda.fallback.replicas) (int .Values.keda.maxReplicaCount)) }}
{{- fail (printf "keda.fallback.replicas (%d) exceeds keda.maxReplicaCount (%d)" (int .Values.keda.fallback.replicas) (int .Values.keda.maxReplicaCount)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled .Values.keda.enabled }}
{{- fail "autoscaling.enabled and keda.enabled are exclusive: KEDA manages its own HPA" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) (int .Values.kafka.partitions)) }}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds kafka.partitions (%d): extra consumers would stay idle" (int .Values.autoscaling.maxReplicas) (int .Values.kafka.partitions)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas exceeds autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.maxReplicaCount) (int .Values.kafka.partitions)) }}
{{- fail (printf "keda.maxReplicaCount (%d) exceeds kafka.partitions (%d): extra consumers would stay idle" (int .Values.keda.maxReplicaCount) (int .Values.kafka.partitions)) }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.minReplicaCount) (int .Values.keda.maxReplicaCount)) }}
{{- fail "keda.minReplicaCount exceeds keda.maxReplicaCount" }}
{{- end }}
{{- if and .Values.kafka.tls.enabled (not .Values.kafka.tls.existingSecret) }}
{{- fail "kafka.tls.enabled needs kafka.tls.existingSecret (the Secret holding the truststore)" }}
{{- end }}
{{- if ge (mul 3 (int64 .Values.kafka.heartbeatIntervalMs)) (int64 .Values.kafka.sessionTimeoutMs) }}
{{- fail (printf "kafka.heartbeatIntervalMs (%d) must stay below a third of kafka.sessionTimeoutMs (%d)" (int64 .Values.kafka.heartbeatIntervalMs) (int64 .Values.kafka.sessionTimeoutMs)) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled .Values.metrics.podMonitor.enabled }}
{{- fail "metrics.serviceMonitor.enabled and metrics.podMonitor.enabled are exclusive: both would scrape every pod, and every series would be counted twice" }}
{{- end }}
{{- $teamTopics := dict }}
{{- range .Values.hostup.accounts }}
{{- $team := .name }}
{{- range (.topics | default list) }}
{{- if hasKey $teamTopics . }}
{{- fail (printf "hostup.accounts: topic %q is listed for both %q and %q; a request topic belongs to one team" . (get $teamTopics .) $team) }}
{{- end }}
{{- if eq . $.Values.kafka.topics.requests }}
{{- fail (printf "hostup.accounts: topic %q of %q is kafka.topics.requests, the shared request topic; give the team its own" . $team) }}
{{- end }}
{{- $_ := set $teamTopics . $team }}
{{- end }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.kafka.to) }}
{{- fail "networkPolicy.enabled needs networkPolicy.kafka.to (the brokers' peers); an empty list would allow every destination" }}
{{- end }}
{{- end }}

{{/* Whether team accounts' keys are mounted (HOSTUP_ACCOUNTS_DIR). Fails on a misnamed or repeated account. */}}
{{- define "hostup-iso-worker.accountsEnabled" -}}
{{- $seen := dict }}
{{- range .Values.hostup.accounts }}
{{- if not (regexMatch "^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$" (toString .name)) }}
{{- fail (printf "hostup.accounts: %q is not an account name (1-32 characters of [a-z0-9-], not starting or ending with '-')" (toString .name)) }}
{{- end }}
{{- if eq .name "default" }}
{{- fail "hostup.accounts: 'default' is the account of hostup.apiToken/hostup.existingSecret; give team accounts other names" }}
{{- end }}
{{- if hasKey $seen .name }}
{{- fail (printf "hostup.accounts: account %q is listed twice" .name) }}
{{- end }}
{{- if not .existingSecret }}
{{- fail (printf "hostup.accounts: account %q needs existingSecret (the Secret holding its API key)" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- if or .Values.hostup.accounts .Values.hostup.accountsSecret }}true{{ end }}
{{- end }}

{{/* The helm test image: global.imageRegistry wins over tests.image.registry. */}}
{{- define "hostup-iso-worker.testImage" -}}
{{- $registry := (.Values.global).imageRegistry | default .Values.tests.image.registry }}
{{- if $registry }}{{ printf "%s/%s:%s" $registry .Values.tests.image.repository .Values.tests.image.tag }}
{{- else }}{{ printf "%s:%s" .Values.tests.image.repository .Values.tests.image.tag }}{{ end }}
{{- end }}

{{/* imagePullSecrets of the pods: global.imagePullSecrets then imagePullSecrets, names or {name} objects, each once. */}}
{{- define "hostup-iso-worker.imagePullSecrets" -}}
{{- $names := list }}
{{- range (concat ((.Values.global).imagePullSecrets | default list) (.Values.imagePullSecrets | default list)) }}
{{- $name := kindIs "string" . | ternary . (get (kindIs "map" . | ternary . dict) "name") }}
{{- if and $name (not (has $name $names)) }}{{ $names = append $names $name }}{{ end }}
{{- end }}
{{- with $names }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* True when runAsUser/runAsGroup/fsGroup are left to OpenShift's SCC (global.compatibility.openshift.adaptSecurityContext). */}}
{{- define "hostup-iso-worker.adaptToOpenShift" -}}
{{- $mode := dig "compatibility" "openshift" "adaptSecurityContext" "auto" (.Values.global | default dict) }}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) }}true{{ end }}
{{- end }}

{{/* A security context (dict "context" map "ctx" $) without the IDs OpenShift assigns, when adapting to it; null IDs are dropped either way. */}}
{{- define "hostup-iso-worker.securityContext" -}}
{{- $sc := deepCopy (.context | default dict) }}
{{- range $key, $value := $sc }}{{ if kindIs "invalid" $value }}{{ $_ := unset $sc $key }}{{ end }}{{ end }}
{{- if include "hostup-iso-worker.adaptToOpenShift" .ctx }}
{{- $_ := unset $sc "runAsUser" }}{{ $_ = unset $sc "runAsGroup" }}{{ $_ = unset $sc "fsGroup" }}{{ $_ = unset $sc "seLinuxOptions" }}
{{- end }}
{{- toYaml $sc }}
{{- end }}

{{/* The `job` label of the worker's series as the chart's ServiceMonitor or PodMonitor sets it, or "" when it cannot be known. */}}
{{- define "hostup-iso-worker.scrapeJob" -}}
{{- $sm := .Values.metrics.serviceMonitor }}
{{- $labels := include "hostup-iso-worker.labels" . | fromYaml }}
{{- if .Values.metrics.podMonitor.enabled }}
{{- $labels = merge $labels (.Values.podLabels | default dict) }}
{{- if $sm.jobLabel }}{{ get $labels $sm.jobLabel }}{{ else }}{{ printf "%s/%s" ($sm.namespace | default .Release.Namespace) (include "hostup-iso-worker.fullname" .) }}{{ end }}
{{- else if $sm.jobLabel }}{{ get $labels $sm.jobLabel }}
{{- else }}{{ include "hostup-iso-worker.fullname" . }}
{{- end }}
{{- end }}

{{/* A team account's environment variable name part: the name upper-cased, anything but A-Z and 0-9 as "_". */}}
{{- define "hostup-iso-worker.teamEnvName" -}}
{{- regexReplaceAll "[^A-Z0-9]" (upper .) "_" }}
{{- end }}

{{/*
A worker.urlPreflight.allow entry as {cidr, port}: a CIDR or an address (IPv4, or IPv6 in brackets when
a port follows), optionally with :port. A host name gives no cidr: a NetworkPolicy cannot match names.
*/}}
{{- define "hostup-iso-worker.allowEntry" -}}
{{- $e := trim . }}
{{- $v6 := "^\\[([0-9A-Fa-f:.]+)\\](:([0-9]+))?$" }}
{{- $v6bare := "^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]+)?$" }}
{{- $v4 := "^([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)(/[0-9]+)?(:([0-9]+))?$" }}
{{- if regexMatch $v6 $e }}
cidr: {{ printf "%s/128" (regexReplaceAll $v6 $e "${1}") | quote }}
port: {{ regexReplaceAll $v6 $e "${3}" | quote }}
{{- else if regexMatch $v6bare $e }}
cidr: {{ ternary $e (printf "%s/128" $e) (contains "/" $e) | quote }}
port: ""
{{- else if regexMatch $v4 $e }}
{{- $cidr := regexReplaceAll $v4 $e "${1}${2}" }}
cidr: {{ ternary $cidr (printf "%s/32" $cidr) (contains "/" $cidr) | quote }}
port: {{ regexReplaceAll $v4 $e "${4}" | quote }}
{{- end }}
{{- end }}

{{/* Labels of the `helm test` pod (not the worker's selector labels, so no Service or PDB picks it up). */}}
{{- define "hostup-iso-worker.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "hostup-iso-worker.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
