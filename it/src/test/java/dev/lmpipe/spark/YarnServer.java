package dev.lmpipe.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * A real YARN: Hadoop's MiniYARNCluster, a ResourceManager and NodeManagers in this JVM on loopback, whose
 * NodeManagers launch every container as a process of its own (bash launch_container.sh, then the JVM) and kill a
 * container whose processes use more physical memory than it was given. The client
 * configuration (yarn-site.xml, core-site.xml naming HDFS as the default file system) goes into a folder for
 * spark-submit's HADOOP_CONF_DIR.
 */
final class YarnServer implements AutoCloseable {
    private final MiniYARNCluster cluster;
    private final YarnClient client;
    private final Path configuration;
    private final int nodeManagers;

    /**
     * @param nodeManagers how many NodeManagers
     * @param memoryMb     memory each NodeManager offers to containers, MB
     * @param vcores       virtual cores each NodeManager offers
     * @param defaultFs    the cluster's default file system (spark-submit stages its uploads there)
     * @param configuration folder for the client configuration
     */
    YarnServer(int nodeManagers, int memoryMb, int vcores, String defaultFs, Path configuration) throws Exception {
        var conf = new YarnConfiguration();
        // MiniYARNCluster reads the NodeManagers' memory from its own key, and turns their container monitor off
        // unless told to control it. On, it checks every container's process tree every 3 s; but with YARN's default
        // yarn.nodemanager.resource.memory.enforced = true it leaves the killing to cgroups, which a NodeManager
        // without LinuxContainerExecutor's cgroups does not have: false, so that a container past its physical
        // memory is killed, as on a cluster. The virtual-memory check is off, as it must be on a cluster for lmpipe:
        // a Java 17 container JVM maps 3 to 3.5 GB of address space for 0.9 to 1.5 GB containers, past YARN's
        // default limit of 2.1 x physical memory (deploy/README.md, "YARN").
        conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", memoryMb);
        conf.setInt(YarnConfiguration.NM_VCORES, vcores);
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_CONTROL_RESOURCE_MONITORING, true);
        conf.setBoolean(YarnConfiguration.NM_MEMORY_RESOURCE_ENFORCED, false);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, memoryMb);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, vcores);
        // Containers find Java through JAVA_HOME, which a real NodeManager has from hadoop-env.sh.
        conf.set(YarnConfiguration.NM_ADMIN_USER_ENV, "JAVA_HOME=" + System.getProperty("java.home"));
        // A shared machine's disk may be fuller than the 90% at which NodeManagers stop taking containers.
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
        // Containers are handed out when NodeManagers report in: every 250 ms instead of every second, so that a
        // test waits less for each ApplicationMaster and executor.
        conf.setInt(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 250);
        // One queue with all of the cluster, as capacity-scheduler.xml of a Hadoop installation has it; the
        // ApplicationMaster of the one application running at a time may take up to half of it.
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
        conf.set("fs.defaultFS", defaultFs);
        cluster = new MiniYARNCluster("YarnClusterIT", nodeManagers, 1, 1);
        cluster.init(conf);
        cluster.start();
        if (!cluster.waitForNodeManagersToConnect(30_000)) {
            throw new IllegalStateException("the NodeManagers did not register within 30 s");
        }
        // start() can return before the ResourceManager has written its port into the configuration.
        long deadline = System.currentTimeMillis() + 30_000;
        while (cluster.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the ResourceManager did not publish its address");
            }
            Thread.sleep(100);
        }
        this.configuration = configuration;
        this.nodeManagers = nodeManagers;
        Files.createDirectories(configuration);
        try (OutputStream out = Files.newOutputStream(configuration.resolve("yarn-site.xml"))) {
            cluster.getConfig().writeXml(out);
        }
        var core = new Configuration(false);
        core.set("fs.defaultFS", defaultFs);
        try (OutputStream out = Files.newOutputStream(configuration.resolve("core-site.xml"))) {
            core.writeXml(out);
        }
        client = YarnClient.createYarnClient();
        client.init(cluster.getConfig());
        client.start();
    }

    /** The folder for HADOOP_CONF_DIR. */
    Path configuration() {
        return configuration;
    }

    /** Applications the ResourceManager knows, newest first. */
    List<ApplicationReport> applications() throws Exception {
        return client.getApplications().stream()
                .sorted((a, b) -> Long.compare(b.getStartTime(), a.getStartTime())).toList();
    }

    ApplicationReport application(ApplicationId id) throws Exception {
        return client.getApplicationReport(id);
    }

    /** The NodeManagers' folders (one each) for what {@code key} names: their containers' logs or working folders. */
    List<Path> nodeManagerFolders(String key) {
        return IntStream.range(0, nodeManagers)
                .mapToObj(i -> Path.of(cluster.getNodeManager(i).getConfig().get(key))).toList();
    }

    @Override
    public void close() throws Exception {
        client.stop();
        // A NodeManager takes over 15 s to stop here; stopped together, they take that once.
        IntStream.range(0, nodeManagers).mapToObj(i -> CompletableFuture.runAsync(() -> cluster.getNodeManager(i).stop()))
                .toList().forEach(CompletableFuture::join);
        cluster.stop();
    }
}
