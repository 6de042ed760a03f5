package minikv.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import minikv.cli.ByteSizes;
import minikv.cluster.DiskStatus;

/**
 * The index's status page: one self-contained HTML document (inline style, no script, no
 * external asset) that refreshes itself every few seconds. Rows carry {@code data-} attributes
 * so scripts and tests can read the page without parsing its wording.
 */
public final class StatusPage {

    static final int REFRESH_SECONDS = 5;

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2329;background:#f6f7f9}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
            .meta{color:#5b6570;margin-bottom:12px}
            table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;min-width:320px}
            #volumes,#problems{width:100%}.row{display:flex;gap:32px;flex-wrap:wrap}
            th,td{padding:6px 10px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
            th{background:#eef0f3;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}
            .ok{background:#d8f3dc;color:#1b5e20}.bad{background:#fde2e1;color:#b71c1c}.warn{background:#fff3cd;color:#7a5a00}
            .bar{width:140px;height:10px;background:#e3e6ea;border-radius:5px;overflow:hidden;display:inline-block;margin-right:6px}
            .bar span{display:block;height:100%;background:#4c8bf5}.bar span.full{background:#d93025}
            .why{color:#5b6570;font-size:12px}.none{color:#5b6570;font-style:italic}
            .problem td{font-size:13px}.ERROR{color:#b71c1c;font-weight:600}.WARN{color:#7a5a00;font-weight:600}
            """;

    private final StringBuilder html = new StringBuilder(8192);

    private StatusPage() {
    }

    public static String render(StatusView view) {
        return new StatusPage().document(view);
    }

    private String document(StatusView view) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<title>minikv ").append(escape(view.index())).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n");
        header(view);
        volumes(view);
        problems(view); // before the counts: what went wrong is what an operator comes to see
        html.append("<div class=\"row\"><section>");
        keys(view);
        html.append("</section><section>");
        requests(view);
        html.append("</section></div>\n");
        html.append("</body></html>\n");
        return html.toString();
    }

    private void header(StatusView view) {
        Readiness readiness = view.readiness();
        html.append("<h1>minikv index ").append(escape(view.index())).append(" <span id=\"readiness\" data-ready=\"")
                .append(readiness.ready()).append("\" class=\"badge ").append(readiness.ready() ? "ok" : "bad").append("\">")
                .append(readiness.ready() ? "ready" : "not ready").append("</span></h1>\n<div class=\"meta\">")
                .append(escape(readiness.reason())).append(" · ").append(view.replicas()).append(" replicas per key · --min-free ")
                .append(escape(view.minFree())).append(" · up ").append(duration(view.uptime())).append(" · ")
                .append(view.now().truncatedTo(ChronoUnit.SECONDS)).append(" (refreshes every ").append(REFRESH_SECONDS)
                .append(" s)</div>\n");
    }

    private void volumes(StatusView view) {
        html.append("<h2>Volumes</h2>\n<table id=\"volumes\"><tr><th>Volume</th><th>State</th><th>Probe</th>")
                .append("<th>Disk used</th><th>Free</th><th>Total</th><th>Writes</th><th>Probe errors</th>")
                .append("<th>Failed replica writes</th></tr>\n");
        for (StatusView.VolumeRow v : view.volumes()) {
            boolean up = v.downReason() == null;
            html.append("<tr data-volume=\"").append(escape(v.volume())).append("\" data-up=\"").append(up).append("\"><td>")
                    .append(escape(v.volume())).append("</td><td>");
            if (up) {
                html.append("<span class=\"badge ok\">up</span>");
            } else {
                html.append("<span class=\"badge bad\">down</span><div class=\"why\">").append(escape(v.downReason()))
                        .append("</div>");
            }
            html.append("</td><td class=\"num\">").append(probe(v.lastProbe(), view.now())).append("</td>");
            disk(v.disk(), view.now());
            html.append("<td>");
            if (!up) {
                html.append("<span class=\"badge bad\">none</span>");
            } else if (v.writeRefusal() == null) {
                html.append("<span class=\"badge ok\">accepting</span>");
            } else {
                html.append("<span class=\"badge warn\">refused</span><div class=\"why\">").append(escape(v.writeRefusal()))
                        .append("</div>");
            }
            html.append("</td><td class=\"num\">").append(v.probeErrors()).append("</td><td class=\"num\">")
                    .append(v.replicaWriteFailures()).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private String probe(VolumeStats.Probe probe, Instant now) {
        if (probe == null) {
            return "<span class=\"none\">not yet</span>";
        }
        String took = String.format(Locale.ROOT, "%.1f ms", probe.nanos() / 1e6);
        return (probe.error() == null ? took : "failed after " + took) + "<div class=\"why\">" + ago(probe.time(), now) + "</div>";
    }

    private void disk(DiskStatus disk, Instant now) {
        if (disk == null) {
            html.append("<td colspan=\"3\" class=\"none\">not reported</td>");
            return;
        }
        // As df counts Use%: of the space a writer could have, how much is taken (root's reserve aside).
        long usable = disk.usedBytes() + disk.freeBytes();
        double used = usable == 0 ? 0 : 100.0 * disk.usedBytes() / usable;
        html.append("<td><span class=\"bar\"><span").append(used >= 90 ? " class=\"full\"" : "")
                .append(String.format(Locale.ROOT, " style=\"width:%.1f%%\"></span></span>%.0f%%", used, used))
                .append("<div class=\"why\">reported ").append(ago(disk.time(), now)).append("</div></td><td class=\"num\">")
                .append(ByteSizes.format(disk.freeBytes())).append("</td><td class=\"num\">")
                .append(ByteSizes.format(disk.totalBytes())).append("</td>");
    }

    private void keys(StatusView view) {
        html.append("<h2>Keys</h2>\n<table id=\"keys\"><tr><th>State</th><th>Keys</th></tr>\n");
        for (StatusView.KeyRow k : view.keys()) {
            html.append("<tr data-state=\"").append(escape(k.state())).append("\"><td>").append(escape(k.state()))
                    .append("</td><td class=\"num\">").append(k.count()).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void requests(StatusView view) {
        html.append("<h2>Requests</h2>\n<table id=\"requests\"><tr><th>Method</th><th>Since start</th><th>Per second (last minute)</th></tr>\n");
        for (StatusView.RateRow r : view.requests()) {
            html.append("<tr data-method=\"").append(escape(r.method())).append("\"><td>").append(escape(r.method()))
                    .append("</td><td class=\"num\">").append(r.total()).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.1f", r.perSecond())).append("</td></tr>\n");
        }
        html.append(String.format(Locale.ROOT, "<tr data-method=\"5xx\"><td>answered 5xx</td><td></td><td class=\"num\">%.1f</td></tr>\n",
                view.serverErrorsPerSecond()));
        html.append("</table>\n");
    }

    private void problems(StatusView view) {
        html.append("<h2>Recent warnings and errors</h2>\n<table id=\"problems\"><tr><th>Time</th><th>Level</th>")
                .append("<th>Source</th><th>What happened</th></tr>\n");
        if (view.problems().isEmpty()) {
            html.append("<tr><td colspan=\"4\" class=\"none\">none since the index started</td></tr>\n");
        }
        for (RecentProblems.Problem p : view.problems()) {
            html.append("<tr class=\"problem\"><td>").append(p.time().truncatedTo(ChronoUnit.SECONDS)).append("<div class=\"why\">")
                    .append(ago(p.time(), view.now())).append("</div></td><td class=\"").append(escape(p.level())).append("\">")
                    .append(escape(p.level())).append("</td><td>").append(escape(p.source())).append("</td><td>")
                    .append(escape(p.message())).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (view.problemsEver() > view.problems().size()) {
            html.append("<div class=\"meta\">the last ").append(view.problems().size()).append(" of ").append(view.problemsEver())
                    .append(" since the index started; all are in its log</div>\n");
        }
    }

    static String ago(Instant then, Instant now) {
        return duration(Duration.between(then, now)) + " ago";
    }

    /** A duration as an operator reads it: {@code 4 s}, {@code 3 min 20 s}, {@code 2 h 5 min}, {@code 3 d 4 h}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        if (s < 86400) {
            return s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s / 86400 + " d " + s % 86400 / 3600 + " h";
    }

    /** Text for HTML content and double-quoted attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
