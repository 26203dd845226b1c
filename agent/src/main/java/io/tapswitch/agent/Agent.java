package io.tapswitch.agent;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tapswitch.agent.api.ApiAccess;
import io.tapswitch.agent.api.ApiServer;
import io.tapswitch.agent.api.VertxGaugeWarnings;
import io.tapswitch.agent.attach.AutoAttach;
import io.tapswitch.agent.attach.LinkMonitor;
import io.tapswitch.agent.bridge.BridgeServer;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ClusterSpec;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.fabric.ClusterSetup;
import io.tapswitch.agent.fabric.Fabric;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.agent.vm.Labs;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The running agent: a Vert.x instance with the switch, its control plane, its VM labs and its API.
 * The CLI, the demo and the integration tests all start agents through {@link #start}, so that what
 * tests run is what users run.
 *
 * <p>The agent owns what it starts and stops it in reverse: the labs go down first (their guests'
 * ports are switch ports), then the API, then the switch, whose ports close and remove the TAPs it
 * created.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How long the link monitor waits before reopening a socket that failed. */
    private static final Duration LINK_RETRY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final ControlPlane control;
    private final Labs labs;
    private final ApiServer api;
    private final ApiAccess access;
    private final String host;
    private final Fabric fabric;
    private final LinkMonitor links;
    private final BridgeServer bridge;
    private volatile boolean closed;

    private Agent(Vertx vertx, ControlPlane control, Labs labs, ApiServer api, ApiAccess access, String host,
                  Fabric fabric, LinkMonitor links, BridgeServer bridge) {
        this.vertx = vertx;
        this.control = control;
        this.labs = labs;
        this.api = api;
        this.access = access;
        this.host = host;
        this.fabric = fabric;
        this.links = links;
        this.bridge = bridge;
    }

    /** Starts an agent with default options: real devices, changes kept in memory. */
    public static Agent start(AgentConfig config) throws Exception {
        return start(config, new AgentOptions());
    }

    /**
     * Starts the agent: the switch {@code config} describes, the API, and the labs a killed agent
     * left running (re-attached). On failure everything started so far is stopped and the cause thrown.
     */
    public static Agent start(AgentConfig config, AgentOptions options) throws Exception {
        VertxGaugeWarnings.install();
        AgentOptions opts = new AgentOptions(options);
        HttpSpec http = opts.http() != null ? opts.http() : config.http();
        ClusterSpec cluster = config.cluster();
        String hostId = cluster == null ? null : ClusterSetup.hostId(cluster);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        VertxOptions vertxOptions = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
        VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
        HazelcastClusterManager clusterManager = null;
        Vertx vertx;
        if (cluster == null) {
            vertx = builder.with(vertxOptions).build();
        } else {
            clusterManager = new HazelcastClusterManager(ClusterSetup.hazelcast(cluster));
            vertxOptions.setEventBusOptions(ClusterSetup.eventBus(cluster));
            long began = System.nanoTime();
            vertx = await(builder.with(vertxOptions).withClusterManager(clusterManager).buildClustered());
            LOG.info("cluster: joined as {} (node {}) in {} ms; members: {}", hostId, clusterManager.getNodeId(),
                    (System.nanoTime() - began) / 1_000_000, clusterManager.getNodes().size());
        }
        SwitchVerticle verticle = new SwitchVerticle(config, opts, hostId);
        ApiAccess access = ApiAccess.of(http);
        Labs labs = null;
        Fabric fabric = null;
        LinkMonitor links = null;
        BridgeServer bridge = null;
        try {
            await(vertx.deployVerticle(verticle));
            ControlPlane control = verticle.controlPlane();
            links = watchLinks(control, config, opts);
            if (config.bridgeHelper() != null) {
                if (links == null) {
                    throw new IllegalStateException("bridgeHelper: needs real devices and the link monitor,"
                            + " which removes a guest's port when its TAP goes");
                }
                bridge = BridgeServer.start(control, config.bridgeHelper());
            }
            labs = new Labs(control, opts.labStateDirectory(), opts.qemuBinary());
            ApiServer api = new ApiServer(control, labs, http, access, registry, verticle::droppedEvents);
            if (cluster != null) {
                String vtep = (config.vxlan() == null || config.vxlan().address() == null ? cluster.address()
                        : config.vxlan().address()) + ":" + (config.vxlan() == null ? 0 : config.vxlan().port());
                HazelcastClusterManager members = clusterManager;
                fabric = new Fabric(vertx, control, control.tunnel(), hostId, vtep,
                        () -> apiUrl(http.host(), api.actualPort()), members::getNodeId, members::getNodes);
                api.fabric(fabric);
                labs.remote(new io.tapswitch.agent.fabric.FabricLabs(vertx, fabric, labs));
                await(vertx.deployVerticle(api));
                Fabric f = fabric;
                members.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                        // adverts say who joined, and with what
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                        f.memberLeft(ClusterSetup.nodeIdOf(event.getMember()));
                    }
                });
                await(fabric.start());
            } else {
                await(vertx.deployVerticle(api));
            }
            labs.resume();
            return new Agent(vertx, control, labs, api, access, http.host(), fabric, links, bridge);
        } catch (Exception e) {
            if (bridge != null) {
                bridge.close();
            }
            if (links != null) {
                links.close();
            }
            if (fabric != null) {
                fabric.close();
            }
            if (labs != null) {
                labs.close();
            }
            vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * Starts watching the interfaces that come and go, for the auto-attach rules and for the ports
     * that live as long as their interface; only with real devices (tests with in-memory ports have
     * no interfaces to watch). Without netlink the agent runs on without it, unless rules need it.
     */
    private static LinkMonitor watchLinks(ControlPlane control, AgentConfig config, AgentOptions opts) throws Exception {
        if (opts.deviceOpener() != SystemDevices.INSTANCE) {
            return null;
        }
        try {
            return LinkMonitor.start(new AutoAttach(control), LINK_RETRY);
        } catch (io.tapswitch.core.sys.NativeException e) {
            if (!config.autoAttach().isEmpty()) {
                throw new IllegalStateException("autoAttach: cannot watch interfaces: " + e.getMessage(), e);
            }
            LOG.warn("cannot watch interfaces ({}): ports added as transient stay when their interface goes",
                    e.getMessage());
            return null;
        }
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The one door to the switch: every change goes through it. */
    public ControlPlane controlPlane() {
        return control;
    }

    /** The running switch, read-only. */
    public SwitchView view() {
        return control.view();
    }

    /** The VM labs this agent runs. */
    public Labs labs() {
        return labs;
    }

    public ApiServer api() {
        return api;
    }

    /** Who may use the API; holds the token to show the operator when one was generated. */
    public ApiAccess access() {
        return access;
    }

    /** This agent's part in a multi-host fabric, or null when it runs alone. */
    public Fabric fabric() {
        return fabric;
    }

    /** What tells the agent of interfaces coming and going, or null when it does not watch them. */
    public LinkMonitor links() {
        return links;
    }

    /** The API's base URL, like {@code http://127.0.0.1:8080}. */
    public String apiUrl() {
        return apiUrl(host, api.actualPort());
    }

    private static String apiUrl(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }

    /** Brings down the VM labs, then stops the API, the switch (closing its ports) and Vert.x. Idempotent. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        if (bridge != null) {
            bridge.close();
        }
        if (links != null) {
            links.close();
        }
        if (fabric != null) {
            fabric.close();
        }
        try {
            labs.close();
        } catch (RuntimeException e) {
            LOG.warn("bringing the labs down failed: {}", e.getMessage());
        }
        vertx.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
