/**
 * Storage: every file lmpipe reads or writes goes through Hadoop's {@code FileSystem} here, so that local
 * paths, HDFS and S3 behave alike. Owns atomic directory commits (stage, then rename). Depends on nothing
 * else in lmpipe but {@code LmpipeException}.
 */
package dev.lmpipe.storage;
