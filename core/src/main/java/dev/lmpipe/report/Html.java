package dev.lmpipe.report;

/** The little HTML a report needs: escaping and a page frame with its style. */
final class Html {
    private Html() {
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
                + "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
                + "pre{background:#f8f8f8;padding:.8em;white-space:pre-wrap}img{max-width:100%}</style>\n"
                + "</head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
    }

    static String figure(Chart.Listing chart) {
        return "<figure><img src=\"" + escape(chart.file()) + "\" alt=\"" + escape(chart.title()) + "\">"
                + "<figcaption>" + escape(chart.description()) + "</figcaption></figure>\n";
    }
}
