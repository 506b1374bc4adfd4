package dev.lmpipe.report;

/**
 * A chart of a report: the PNG file beside the HTML page, its title, and what it shows.
 */
public record Chart(String file, String title, String description, byte[] png) {
    /** The chart as report.json lists it (without the image bytes). */
    public record Listing(String file, String title, String description) {
    }

    public Listing listing() {
        return new Listing(file, title, description);
    }
}
