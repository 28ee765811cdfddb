package dev.hostupiso.worker.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Minimal Java2D charts: stacked panels of line series, bars and reference lines, written as PNG. */
final class Plot {

    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    record Series(String name, double[] x, double[] y, boolean bars) {
        static Series line(String name, List<double[]> points) {
            double[] x = new double[points.size()];
            double[] y = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                x[i] = points.get(i)[0];
                y[i] = points.get(i)[1];
            }
            return new Series(name, x, y, false);
        }
    }

    /** A horizontal (or vertical, {@code vertical=true}) reference line. */
    record Ref(String name, double value, boolean vertical) {
    }

    static final class Panel {
        final String title;
        final String xLabel;
        final String yLabel;
        final List<Series> series = new ArrayList<>();
        final List<Ref> refs = new ArrayList<>();
        String[] categories; // bar charts: category labels, x = index

        Panel(String title, String xLabel, String yLabel) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
        }

        Panel add(Series s) {
            series.add(s);
            return this;
        }

        Panel ref(String name, double value) {
            if (Double.isFinite(value)) {
                refs.add(new Ref(name, value, false));
            }
            return this;
        }

        Panel vref(String name, double value) {
            if (Double.isFinite(value)) {
                refs.add(new Ref(name, value, true));
            }
            return this;
        }

        /** A bar chart of labelled values. */
        static Panel bars(String title, String yLabel, String[] labels, double[] values) {
            Panel p = new Panel(title, "", yLabel);
            p.categories = labels;
            double[] x = new double[labels.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            p.series.add(new Series("", x, values, true));
            return p;
        }
    }

    private Plot() {
    }

    static void write(Path file, String heading, List<Panel> panels) throws IOException {
        int w = 1100;
        int ph = 340;
        int top = 40;
        BufferedImage img = new BufferedImage(w, top + ph * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(heading, 20, 27);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), 0, top + i * ph, w, ph);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Panel p, int ox, int oy, int w, int h) {
        int left = ox + 90;
        int right = ox + w - 230;
        int topY = oy + 30;
        int bottom = oy + h - 50;
        double xmin = Double.MAX_VALUE;
        double xmax = -Double.MAX_VALUE;
        double ymax = 0;
        for (Series s : p.series) {
            for (int i = 0; i < s.x().length; i++) {
                xmin = Math.min(xmin, s.x()[i]);
                xmax = Math.max(xmax, s.x()[i]);
                if (Double.isFinite(s.y()[i])) {
                    ymax = Math.max(ymax, s.y()[i]);
                }
            }
        }
        for (Ref r : p.refs) {
            if (r.vertical()) {
                xmin = Math.min(xmin, r.value());
                xmax = Math.max(xmax, r.value());
            } else {
                ymax = Math.max(ymax, r.value());
            }
        }
        boolean bars = p.categories != null;
        if (bars) {
            xmin = -0.6;
            xmax = p.categories.length - 0.4;
        }
        if (xmin == Double.MAX_VALUE) {
            xmin = 0;
            xmax = 1;
        }
        if (xmax <= xmin) {
            xmax = xmin + 1;
        }
        ymax = ymax <= 0 ? 1 : niceCeil(ymax * 1.08);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(p.title, left, oy + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // grid and y ticks
        for (int t = 0; t <= 5; t++) {
            double v = ymax * t / 5;
            int y = bottom - (int) Math.round((bottom - topY) * (double) t / 5);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = fmt(v);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + 4);
        }
        // x ticks
        g.setColor(Color.DARK_GRAY);
        if (bars) {
            for (int i = 0; i < p.categories.length; i++) {
                int x = sx(i, xmin, xmax, left, right);
                String label = p.categories[i];
                g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 16);
            }
        } else {
            for (int t = 0; t <= 6; t++) {
                double v = xmin + (xmax - xmin) * t / 6;
                int x = sx(v, xmin, xmax, left, right);
                String label = fmt(v);
                g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 16);
            }
        }
        g.drawString(p.xLabel, (left + right) / 2 - fm.stringWidth(p.xLabel) / 2, bottom + 36);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(p.yLabel, -((topY + bottom) / 2 + fm.stringWidth(p.yLabel) / 2), ox + 18);
        r.dispose();
        g.setColor(Color.BLACK);
        g.drawRect(left, topY, right - left, bottom - topY);
        // data
        int legendY = topY + 14;
        int si = 0;
        for (Series s : p.series) {
            Color c = PALETTE[si++ % PALETTE.length];
            g.setColor(c);
            if (s.bars()) {
                int bw = Math.max(4, (right - left) / Math.max(1, s.x().length) / 2);
                for (int i = 0; i < s.x().length; i++) {
                    int x = sx(s.x()[i], xmin, xmax, left, right);
                    int y = sy(s.y()[i], ymax, topY, bottom);
                    g.setColor(PALETTE[i % PALETTE.length]);
                    g.fillRect(x - bw / 2, y, bw, bottom - y);
                    g.setColor(Color.BLACK);
                    String label = fmt(s.y()[i]);
                    g.drawString(label, x - fm.stringWidth(label) / 2, y - 4);
                }
            } else {
                g.setStroke(new BasicStroke(2f));
                int px = Integer.MIN_VALUE;
                int py = 0;
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.y()[i])) {
                        px = Integer.MIN_VALUE;
                        continue;
                    }
                    int x = sx(s.x()[i], xmin, xmax, left, right);
                    int y = sy(s.y()[i], ymax, topY, bottom);
                    if (px != Integer.MIN_VALUE) {
                        g.drawLine(px, py, x, y);
                    } else if (s.x().length == 1) {
                        g.fillOval(x - 3, y - 3, 6, 6);
                    }
                    px = x;
                    py = y;
                }
                g.setStroke(new BasicStroke(1f));
                if (!s.name().isEmpty()) {
                    g.fillRect(right + 12, legendY - 8, 14, 4);
                    g.setColor(Color.BLACK);
                    g.drawString(s.name(), right + 32, legendY - 2);
                    legendY += 18;
                }
            }
        }
        int ri = 0;
        for (Ref ref : p.refs) {
            Color c = new Color(0x555555);
            Color[] refColors = {new Color(0x000000), new Color(0x8c564b), new Color(0x7f7f7f), new Color(0xbcbd22)};
            c = refColors[ri++ % refColors.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
            if (ref.vertical()) {
                int x = sx(ref.value(), xmin, xmax, left, right);
                g.drawLine(x, topY, x, bottom);
            } else {
                int y = sy(ref.value(), ymax, topY, bottom);
                g.drawLine(left, y, right, y);
            }
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
            g.drawLine(right + 12, legendY - 6, right + 26, legendY - 6);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(ref.name() + " = " + fmt(ref.value()), right + 32, legendY - 2);
            legendY += 18;
        }
    }

    private static int sx(double v, double xmin, double xmax, int left, int right) {
        return left + (int) Math.round((v - xmin) / (xmax - xmin) * (right - left));
    }

    private static int sy(double v, double ymax, int top, int bottom) {
        return bottom - (int) Math.round(Math.min(v, ymax) / ymax * (bottom - top));
    }

    private static double niceCeil(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v) && a < 1e6) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
