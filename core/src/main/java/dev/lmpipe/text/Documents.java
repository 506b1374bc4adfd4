package dev.lmpipe.text;

/**
 * What a document is, for the train/validation/test split: a document goes to one split as a whole, chosen by
 * a hash of its identity, so that adding files never moves an old document to another split.
 */
public enum Documents {
    /** Each file is one document (identity: its name relative to its input folder). */
    files,
    /** Blank-line-separated records (identity: file name and the record's byte offset). */
    records,
    /** Lines grouped by byte block of the file, {@code blockBytes} each (identity: file name and block number). */
    blocks
}
