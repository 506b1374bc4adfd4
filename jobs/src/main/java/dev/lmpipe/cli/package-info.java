/**
 * The {@code lmpipe} command line: one picocli class per subcommand, each reading its configuration and
 * calling a job. User errors ({@code LmpipeException}) are printed without a stack trace, with exit code 1.
 */
package dev.lmpipe.cli;
