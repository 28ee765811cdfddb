{{/*
The worker's alerting rules, built from metrics.prometheusRule: selectors, thresholds, runbook
base URL, per-alert overrides and extra rules. Prometheus' own templates in annotations are
escaped ({{`{{ … }}`}}) so that Helm passes them through.
*/}}

{{/* PromQL matchers: (list "a=\"b\"" "c=~\"d\"") → {a="b", c=~"d"}; empty items are dropped, nothing at all gives "". */}}
{{- define "hostup-iso-worker.matchers" -}}
{{- $parts := list }}
{{- range . }}{{ if . }}{{ $parts = append $parts . }}{{ end }}{{ end }}
{{- if $parts }}{{ printf "{%s}" (join ", " $parts) }}{{ end }}
{{- end }}

{{/* Matchers of the worker's own series and scrape targets: job = what the chart's ServiceMonitor (the Service name, or its jobLabel) or PodMonitor (<namespace>/<name>) sets, namespace = the release's. */}}
{{- define "hostup-iso-worker.workerSelector" -}}
{{- if .Values.metrics.prometheusRule.selectors.worker }}
{{- .Values.metrics.prometheusRule.selectors.worker }}
{{- else }}
{{- $job := include "hostup-iso-worker.scrapeJob" . }}
{{- if not $job }}
{{- fail (printf "metrics.serviceMonitor.jobLabel %q is not a label of the chart's %s: set metrics.prometheusRule.selectors.worker to the job the alerts should watch" .Values.metrics.serviceMonitor.jobLabel (.Values.metrics.podMonitor.enabled | ternary "pods" "Service")) }}
{{- end }}
{{- printf "job=\"%s\", namespace=\"%s\"" $job .Release.Namespace }}
{{- end }}
{{- end }}

{{/* Matchers of the worker's Deployment in kube-state-metrics; the name follows fullnameOverride. */}}
{{- define "hostup-iso-worker.deploymentSelector" -}}
{{- .Values.metrics.prometheusRule.selectors.deployment | default (printf "namespace=\"%s\", deployment=\"%s\"" .Release.Namespace (include "hostup-iso-worker.fullname" .)) }}
{{- end }}

{{/* Matchers of the consumer group's committed lag in kafka-exporter. */}}
{{- define "hostup-iso-worker.consumerGroupLagSelector" -}}
{{- .Values.metrics.prometheusRule.selectors.consumerGroupLag | default (printf "consumergroup=\"%s\"" .Values.kafka.groupId) }}
{{- end }}

{{/* A threshold as a PromQL number literal. */}}
{{- define "hostup-iso-worker.number" -}}
{{- $n := float64 . }}{{ if eq $n (floor $n) }}{{ printf "%.0f" $n }}{{ else }}{{ printf "%g" $n }}{{ end }}
{{- end }}

{{/* Every rule, overrides applied, as a YAML list. */}}
{{- define "hostup-iso-worker.alertRules" -}}
{{- $pr := .Values.metrics.prometheusRule }}
{{- $rules := list }}
{{- range (include "hostup-iso-worker.baseAlertRules" . | fromYamlArray) }}
{{- $o := get ($pr.alerts | default dict) .alert | default dict }}
{{- if dig "enabled" true $o }}
{{- $r := deepCopy . }}
{{- with $o.for }}{{ $_ := set $r "for" . }}{{ end }}
{{- $labels := mergeOverwrite (deepCopy $r.labels) (deepCopy ($pr.alertLabels | default dict)) (deepCopy ($o.labels | default dict)) }}
{{- with $o.severity }}{{ $_ := set $labels "severity" . }}{{ end }}
{{- $_ := set $r "labels" $labels }}
{{- $_ := set $r.annotations "runbook_url" (printf "%s#%s" (trimSuffix "/" $pr.runbookBaseUrl) (lower .alert)) }}
{{- $rules = append $rules $r }}
{{- end }}
{{- end }}
{{- range $pr.extraRules }}
{{- $rules = append $rules . }}
{{- end }}
{{- toYaml $rules }}
{{- end }}

{{/* The rules before overrides. */}}
{{- define "hostup-iso-worker.baseAlertRules" -}}
{{- $t := .Values.metrics.prometheusRule.thresholds }}
{{- $w := include "hostup-iso-worker.workerSelector" . }}
{{- $d := include "hostup-iso-worker.deploymentSelector" . }}
{{- $g := include "hostup-iso-worker.consumerGroupLagSelector" . }}
{{- $errors := "status=~\"5..|timeout|io_error\"" }}
{{- $pr := .Values.metrics.prometheusRule }}
{{- $own := "" }}
{{- with $pr.requesterCodes }}{{ $own = printf "code!~\"%s\"" (join "|" .) }}{{ end }}
- alert: HostupIsoWorkerApiKeyRejected
  expr: max by (namespace, pod) (isoworker_api_key_rejected{{ include "hostup-iso-worker.matchers" (list $w) }}) > 0
  for: 5m
  labels:
    severity: critical
  annotations:
    summary: HostUp rejects the worker's API key (401); intake is stopped.
    description: >-
      {{`Pod {{ $labels.namespace }}/{{ $labels.pod }} has received HTTP 401 from the HostUp
      API for more than 5 minutes. The worker paused Kafka intake and reports readiness
      DOWN until the key is replaced or restored.`}}

- alert: HostupIsoWorkerApiKeyForbidden
  expr: max by (namespace, pod, reason) (isoworker_api_key_hold{{ include "hostup-iso-worker.matchers" (list $w "account=~\"default|\"" "reason=~\"forbidden|missing_scope\"") }}) > 0
  for: 5m
  labels:
    severity: critical
  annotations:
    summary: HostUp refuses the worker's API key (403 on many VPSs, or a missing scope); intake is held.
    description: >-
      {{`Pod {{ $labels.namespace }}/{{ $labels.pod }} has held intake for more than 5 minutes
      because HostUp answers 403 ({{ $labels.reason }}): an IP restriction on the key or a
      missing scope. Requests wait in Kafka until a call shows the key working.`}}

- alert: HostupIsoWorkerTeamApiKeyHeld
  expr: max by (namespace, account, reason) (isoworker_api_key_hold{{ include "hostup-iso-worker.matchers" (list $w "account!~\"default|\"") }}) > 0
  for: 15m
  labels:
    severity: warning
  annotations:
    summary: HostUp refuses a team account's API key; that team's requests wait.
    description: >-
      {{`Account {{ $labels.account }} in {{ $labels.namespace }} has been held for more than 15 minutes
      ({{ $labels.reason }}): HostUp refuses its key. Its requests are recorded and wait (until their
      deadline); other accounts are processed normally. Replace or restore the account's key.`}}

- alert: HostupIsoWorkerNoInstanceReady
  expr: |
    (
      sum by (namespace, deployment) (kube_deployment_status_replicas_available{{ include "hostup-iso-worker.matchers" (list $d) }}) == 0
    )
    and
    (
      sum by (namespace, deployment) (kube_deployment_spec_replicas{{ include "hostup-iso-worker.matchers" (list $d) }}) > 0
    )
    unless on (namespace)
    (
        max by (namespace) (isoworker_api_key_rejected{{ include "hostup-iso-worker.matchers" (list $w) }}) > 0
      or
        max by (namespace) (isoworker_api_key_hold{{ include "hostup-iso-worker.matchers" (list $w "account=~\"default|\"") }}) > 0
      or
        max by (namespace) (isoworker_ledger_stalled{{ include "hostup-iso-worker.matchers" (list $w) }}) > 0
    )
  for: 5m
  labels:
    severity: critical
  annotations:
    summary: No hostup-iso-worker instance is ready; ISO download requests are not processed.
    description: >-
      {{`Deployment {{ $labels.namespace }}/{{ $labels.deployment }} wants replicas but has had
      none available for more than 5 minutes, and no pod reports an API key or ledger problem
      (those page on their own).`}}

- alert: HostupIsoWorkerHostUpErrors
  expr: |
    (
        sum by (namespace) (rate(isoworker_api_calls_total{{ include "hostup-iso-worker.matchers" (list $w $errors) }}[10m]))
      /
        sum by (namespace) (rate(isoworker_api_calls_total{{ include "hostup-iso-worker.matchers" (list $w) }}[10m]))
    ) > {{ include "hostup-iso-worker.number" $t.apiErrorRatio }}
    and
    sum by (namespace) (increase(isoworker_api_calls_total{{ include "hostup-iso-worker.matchers" (list $w $errors) }}[10m])) >= {{ include "hostup-iso-worker.number" $t.apiErrorMinCalls }}
  for: 10m
  labels:
    severity: critical
  annotations:
    summary: Most HostUp API calls fail (5xx, timeouts, connection errors); downloads are not started.
    description: >-
      {{`{{ $value | humanizePercentage }} of the HostUp API calls made in namespace
      {{ $labels.namespace }} over the last 10 minutes failed with a 5xx, a timeout or a
      connection error, for more than 10 minutes. The worker retries them until each
      request's deadline, so nothing fails yet, but nothing completes either.`}}

- alert: HostupIsoWorkerHighFailureRatio
  expr: |
    (
        sum by (namespace) (rate(isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=\"failed\"" $own) }}[15m]))
      /
        sum by (namespace) (rate(isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=~\"completed|failed\"" $own) }}[15m]))
    ) > {{ include "hostup-iso-worker.number" $t.failureRatio }}
    and
    sum by (namespace) (increase(isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=\"failed\"" $own) }}[15m])) >= {{ include "hostup-iso-worker.number" $t.failureMinCount }}
  for: 15m
  labels:
    severity: warning
  annotations:
    summary: More than {{ include "hostup-iso-worker.number" (mulf 100 $t.failureRatio) }}% of ISO download requests fail.
    description: >-
      {{`{{ $value | humanizePercentage }} of the ISO download requests finished in
      namespace {{ $labels.namespace }} over the last 15 minutes failed`}} (at least
      {{ include "hostup-iso-worker.number" $t.failureMinCount }} of them). Failures the requester
      caused ({{ join ", " $pr.requesterCodes }}) and dead letters (HostupIsoWorkerDeadLettering)
      are left out.

# A pod's first dead letter may be the first sample of its series (at 1, when it came before the
# first scrape): increase() sees no increase in it, so a series younger than the window counts whole.
- alert: HostupIsoWorkerDeadLettering
  expr: |
    sum by (namespace) (
        (increase(isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=\"dead_lettered\"") }}[15m]) > 0)
      or
        (
          isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=\"dead_lettered\"") }}
            unless
          isoworker_requests_total{{ include "hostup-iso-worker.matchers" (list $w "outcome=\"dead_lettered\"") }} offset 15m
        )
    ) > 0
  for: 5m
  labels:
    severity: info
  annotations:
    summary: Requests are being sent to the dead-letter topic.
    description: >-
      {{`About {{ $value | humanize }} request(s) in namespace {{ $labels.namespace }} were
      dead-lettered over the last 15 minutes.`}}

- alert: HostupIsoWorkerRateLimited
  expr: sum by (namespace) (rate(isoworker_api_calls_total{{ include "hostup-iso-worker.matchers" (list $w "status=\"429\"") }}[5m])) > 0
  for: 15m
  labels:
    severity: warning
  annotations:
    summary: The HostUp API has been rate-limiting the worker for 15 minutes.
    description: >-
      {{`Workers in namespace {{ $labels.namespace }} receive HTTP 429 at
      {{ printf "%.2f" $value }} responses per second and have done so for more than
      15 minutes.`}}

- alert: HostupIsoWorkerJobsStuckPastDeadline
  expr: |
    max by (namespace, pod) (isoworker_jobs_oldest_age_seconds{{ include "hostup-iso-worker.matchers" (list $w) }})
      > on (namespace, pod)
    max by (namespace, pod) (isoworker_job_timeout_seconds{{ include "hostup-iso-worker.matchers" (list $w) }})
  for: 10m
  labels:
    severity: warning
  annotations:
    summary: A HostUp job is still tracked after its deadline.
    description: >-
      {{`The oldest job tracked by {{ $labels.namespace }}/{{ $labels.pod }} is
      {{ $value | humanizeDuration }} old, past the configured job timeout, and has not
      been timed out for 10 minutes.`}}

- alert: HostupIsoWorkerIntakeSaturated
  expr: |
    max by (namespace, pod) (isoworker_jobs_in_flight{{ include "hostup-iso-worker.matchers" (list $w) }})
      >= on (namespace, pod)
    max by (namespace, pod) (isoworker_max_in_flight{{ include "hostup-iso-worker.matchers" (list $w) }})
  for: 30m
  labels:
    severity: warning
  annotations:
    summary: A worker has been at its in-flight job cap for 30 minutes.
    description: >-
      {{`{{ $labels.namespace }}/{{ $labels.pod }} tracks {{ $value }} jobs, its configured
      maximum; Kafka intake stays paused until jobs finish.`}}

# kafka-exporter replicas each report every partition: max by partition counts each one once.
- alert: HostupIsoWorkerConsumerLagGrowing
  expr: |
    (
      sum by (namespace, consumergroup, topic) (
        max by (namespace, consumergroup, topic, partition) (kafka_consumergroup_lag{{ include "hostup-iso-worker.matchers" (list $g) }})
      ) > {{ include "hostup-iso-worker.number" $t.consumerLag }}
    )
    and
    (
      sum by (namespace, consumergroup, topic) (
        max by (namespace, consumergroup, topic, partition) (deriv(kafka_consumergroup_lag{{ include "hostup-iso-worker.matchers" (list $g) }}[10m]))
      ) > 0
    )
  for: 15m
  labels:
    severity: warning
  annotations:
    summary: The worker's consumer group is far behind on the request topic, and falling further behind.
    description: >-
      {{`Consumer group {{ $labels.consumergroup }} is {{ $value | humanize }} records behind
      (committed offsets, from kafka-exporter in namespace {{ $labels.namespace }}) on topic
      {{ $labels.topic }}, and the lag has kept growing for 15 minutes.`}}

- alert: HostupIsoWorkerLedgerStalled
  expr: max by (namespace, pod) (isoworker_ledger_stalled{{ include "hostup-iso-worker.matchers" (list $w) }}) > 0
  for: 5m
  labels:
    severity: critical
  annotations:
    summary: A worker cannot commit to its job ledger; no outcome is published.
    description: >-
      {{`Ledger transactions of {{ $labels.namespace }}/{{ $labels.pod }} have kept failing for
      more than 5 minutes. The pod reports readiness DOWN; its requests stay in Kafka and
      nothing is lost, but no outcome is published until Kafka accepts its transactions.`}}

- alert: HostupIsoWorkerLedgerRecordsRejected
  expr: sum by (namespace) (increase(isoworker_ledger_failures_total{{ include "hostup-iso-worker.matchers" (list $w "kind=\"rejected\"") }}[15m])) > 0
  for: 1m
  labels:
    severity: warning
  annotations:
    summary: Kafka refused ledger or outcome records; those requests got a minimal outcome.
    description: >-
      {{`{{ $value | humanize }} ledger write(s) in namespace {{ $labels.namespace }} were refused
      by Kafka over the last 15 minutes (too large, most likely). Each such request was
      answered with a minimal outcome without its error details.`}}

- alert: HostupIsoWorkerTargetDown
  expr: max by (namespace, pod, instance) (up{{ include "hostup-iso-worker.matchers" (list $w) }}) == 0
  for: 10m
  labels:
    severity: warning
  annotations:
    summary: Prometheus cannot scrape a worker pod; its alerts are blind.
    description: >-
      {{`Scrapes of {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.instance }}) have
      failed for 10 minutes: the pod's own alerts (API key, ledger) cannot fire.`}}

- alert: HostupIsoWorkerMetricsAbsent
  expr: |
    absent(up{{ include "hostup-iso-worker.matchers" (list $w) }} == 1)
    unless on ()
    (
      sum(kube_deployment_status_replicas_available{{ include "hostup-iso-worker.matchers" (list $d) }}) == 0
    )
  for: 15m
  labels:
    severity: warning
  annotations:
    summary: No worker target has been scraped for 15 minutes; every worker alert is blind.
    description: >-
      No target matching {{ printf "up{%s}" $w }} has been scraped successfully for 15
      minutes, and kube-state-metrics does not show the Deployment without available replicas
      (scaled to zero, or down: HostupIsoWorkerNoInstanceReady's case). Every alert on the
      worker's own metrics is blind.
{{- end }}
