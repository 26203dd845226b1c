package io.tapswitch.core.port;

import com.sun.jna.Memory;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.sys.Errno;
import io.tapswitch.core.sys.FileDescriptor;
import io.tapswitch.core.sys.IfTun;
import io.tapswitch.core.sys.Ioctl;
import io.tapswitch.core.sys.NativeException;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.sys.NetIf;
import io.tapswitch.core.sys.Unistd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * A TAP device whose fd side the switch owns.
 *
 * <p>Opening creates the device, or attaches to an existing persistent one of that name (one made
 * with {@code ip tuntap add} or left by an earlier run). A device the switch created disappears
 * when the port closes unless the port was opened {@code persistent}; an attached device is left as
 * it was found.
 *
 * <p>Offloads are negotiated once: with IFF_VNET_HDR the kernel hands us, and accepts from us,
 * frames with a virtio-net header, and with TUNSETOFFLOAD it may send partial-checksum and TSO
 * super-frames. Each step degrades quietly to what the kernel supports, and one log line says what
 * was enabled. The fd is non-blocking; the reading thread polls it.
 *
 * <p><b>Surviving crashes.</b> A device this port creates is made persistent at once, so that if the
 * switch process dies (kill -9) the device, and whatever a host or VM has configured on it, stays;
 * a restarted switch attaches to it by name. On an orderly close the persistence is dropped again
 * unless the port was opened to keep the device, and the kernel removes it with the last fd.
 *
 * <p><b>When the device goes away.</b> If the netdev is deleted under the port, reads fail; the port
 * reports the errno (the switch marks it down) and then, at most once a second, looks for an
 * interface of its name. When one exists again it attaches to it and moves the new file onto the
 * same descriptor number with {@code dup3}, so threads sending concurrently never hold a number
 * that was closed and reused.
 */
public final class TapPort implements Port {
    private static final Logger LOG = LoggerFactory.getLogger(TapPort.class);
    private static final int OFFLOADS = IfTun.TUN_F_CSUM | IfTun.TUN_F_TSO4 | IfTun.TUN_F_TSO6 | IfTun.TUN_F_TSO_ECN;

    private final String name;
    private final FileDescriptor fd;
    private final boolean vnetHeader;
    private final boolean created;
    private final int offloads;
    private final boolean keep;
    private final DeviceRecovery recovery = new DeviceRecovery(this::reattach);

    private TapPort(String name, FileDescriptor fd, boolean vnetHeader, boolean created, int offloads, boolean keep) {
        this.name = name;
        this.fd = fd;
        this.vnetHeader = vnetHeader;
        this.created = created;
        this.offloads = offloads;
        this.keep = keep;
    }

    /**
     * Creates or attaches to TAP {@code name}.
     *
     * @param keep    leave the device in place when the port closes (otherwise it is removed, also
     *                when it existed before: the port owns it)
     * @param offload negotiate the virtio-net header and offloads (true in production)
     */
    public static TapPort open(String name, boolean keep, boolean offload) throws NativeException {
        NetDevice.checkName(name);
        boolean existed = NetDevice.exists(name);
        FileDescriptor fd = new FileDescriptor(openTun(), "tap " + name);
        try {
            Memory features = new Memory(4);
            features.setInt(0, 0);
            int supported = Ioctl.ioctl(fd.fd(), IfTun.TUNGETFEATURES, features) < 0 ? 0 : features.getInt(0);
            boolean vnet = offload && (supported & IfTun.IFF_VNET_HDR) != 0;
            String actual = attach(fd, name, vnet);
            int offloads = vnet ? negotiateOffloads(fd) : 0;
            Errno.check("ioctl(TUNSETPERSIST)", Ioctl.ioctl(fd.fd(), IfTun.TUNSETPERSIST, 1L), name);
            LOG.info("port {}: {} TAP, vnet header {}, offloads {}", actual, existed ? "attached to existing" : "created",
                    vnet ? "on" : "off", describeOffloads(offloads));
            return new TapPort(actual, fd, vnet, !existed, offloads, keep);
        } catch (NativeException | RuntimeException e) {
            if (!existed && !keep) {
                Ioctl.ioctl(fd.fd(), IfTun.TUNSETPERSIST, 0L);
            }
            fd.close();
            throw e;
        }
    }

    private static int openTun() throws NativeException {
        return Errno.check("open", Unistd.open(IfTun.DEVICE, Unistd.O_RDWR | Unistd.O_CLOEXEC | Unistd.O_NONBLOCK),
                IfTun.DEVICE);
    }

    /** TUNSETIFF (and the vnet header size) on a fresh /dev/net/tun fd; returns the device's name. */
    private static String attach(FileDescriptor fd, String name, boolean vnet) throws NativeException {
        short flags = (short) (IfTun.IFF_TAP | IfTun.IFF_NO_PI | (vnet ? IfTun.IFF_VNET_HDR : 0));
        Memory req = NetDevice.ifreq(name);
        req.setShort(NetIf.IFR_UNION, flags);
        Errno.check("ioctl(TUNSETIFF)", Ioctl.ioctl(fd.fd(), IfTun.TUNSETIFF, req), name);
        if (vnet) {
            Memory size = new Memory(4);
            size.setInt(0, VnetHeader.LEN);
            Errno.check("ioctl(TUNSETVNETHDRSZ)", Ioctl.ioctl(fd.fd(), IfTun.TUNSETVNETHDRSZ, size), name);
        }
        return req.getString(0, StandardCharsets.US_ASCII.name());
    }

    private static int negotiateOffloads(FileDescriptor fd) {
        int[] attempts = {OFFLOADS, IfTun.TUN_F_CSUM | IfTun.TUN_F_TSO4 | IfTun.TUN_F_TSO6, IfTun.TUN_F_CSUM, 0};
        for (int attempt : attempts) {
            if (Ioctl.ioctl(fd.fd(), IfTun.TUNSETOFFLOAD, attempt) == 0) {
                return attempt;
            }
        }
        return 0;
    }

    static String describeOffloads(int offloads) {
        if (offloads == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if ((offloads & IfTun.TUN_F_CSUM) != 0) {
            sb.append("csum ");
        }
        if ((offloads & IfTun.TUN_F_TSO4) != 0) {
            sb.append("tso4 ");
        }
        if ((offloads & IfTun.TUN_F_TSO6) != 0) {
            sb.append("tso6 ");
        }
        if ((offloads & IfTun.TUN_F_TSO_ECN) != 0) {
            sb.append("tso-ecn ");
        }
        return sb.toString().trim();
    }

    /** Brings the netdev side up (when it is still in the switch's namespace). */
    public void setLinkUp(boolean up) throws NativeException {
        NetDevice.setUp(name, up);
    }

    /** Whether this port created the device (as opposed to attaching to an existing one). */
    public boolean created() {
        return created;
    }

    public int offloads() {
        return offloads;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortKind kind() {
        return PortKind.TAP;
    }

    @Override
    public int pollFd() {
        return fd.fd();
    }

    @Override
    public boolean vnetHeader() {
        return vnetHeader;
    }

    @Override
    public int receive(Frame frame) {
        if (!recovery.usable()) {
            return -recovery.errno();
        }
        int at = vnetHeader ? frame.start() : frame.frame();
        long n = Unistd.read(fd.fd(), frame.address() + at, frame.readCapacity() - (at - frame.start()));
        if (n < 0) {
            int errno = Errno.last();
            if (Errno.isTransient(errno)) {
                return NOTHING;
            }
            recovery.failed(errno);
            return -errno;
        }
        if (!vnetHeader) {
            VnetHeader.clear(frame.buffer(), frame.start());
            frame.setLength((int) n);
            return (int) n;
        }
        if (n < VnetHeader.LEN) {
            frame.setLength(0);
            return NOTHING;
        }
        frame.received((int) n);
        return frame.length();
    }

    /**
     * The failed state's look at the device (see {@link DeviceRecovery}): if an interface of this
     * name exists, attach to it on a new file and move that file onto this port's descriptor number.
     * Returns 0 when that worked, else the errno the port failed with, which it keeps reporting.
     */
    private int reattach(int failedErrno) {
        if (!NetDevice.exists(name)) {
            return failedErrno;
        }
        try {
            FileDescriptor fresh = new FileDescriptor(openTun(), "tap " + name);
            try {
                attach(fresh, name, vnetHeader);
                if (vnetHeader) {
                    negotiateOffloads(fresh);
                }
                Ioctl.ioctl(fresh.fd(), IfTun.TUNSETPERSIST, 1L);
            } catch (NativeException | RuntimeException e) {
                fresh.close();
                return failedErrno;
            }
            fd.replaceWith(fresh);
            NetDevice.setUp(name, true);
        } catch (NativeException e) {
            return failedErrno;
        }
        LOG.info("port {}: device is back, re-attached", name);
        return 0;
    }

    @Override
    public int send(Frame frame) {
        long n;
        if (vnetHeader) {
            n = Unistd.write(fd.fd(), frame.address() + frame.start(), VnetHeader.LEN + frame.length());
        } else {
            n = Unistd.write(fd.fd(), frame.address() + frame.frame(), frame.length());
        }
        return n < 0 ? -Errno.last() : 0;
    }

    /** Closes the fd; unless the port keeps its device, the device goes with it. */
    @Override
    public void close() {
        int n = fd.fd();
        if (n >= 0 && !keep) {
            Ioctl.ioctl(n, IfTun.TUNSETPERSIST, 0L);
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "TapPort[" + name + "]";
    }
}
