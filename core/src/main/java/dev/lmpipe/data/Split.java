package dev.lmpipe.data;

/** The three parts of a dataset. */
public enum Split {
    train, validation, test
}
