package io.tapswitch.core.sys;

import com.sun.jna.Memory;

/**
 * A TAP made to be handed over: the switch opens it, and gives its only descriptor away (to an
 * unprivileged QEMU, over a UNIX socket). It is not persistent, so it lives exactly as long as a
 * descriptor of it is open; the device goes when the last holder closes it, which is how the
 * switch learns that the guest has gone.
 */
public final class TapDevice {
    private TapDevice() {
    }

    /** The descriptor of a new TAP and the name the kernel gave it. */
    public record Created(FileDescriptor fd, String name) {
    }

    /**
     * Creates a TAP.
     *
     * @param template a name, or a name with {@code %d} that the kernel replaces with the lowest free number
     * @param vnetHdr  whether reads and writes carry a virtio-net header (IFF_VNET_HDR), as QEMU asks with --use-vnet
     * @param owner    the uid allowed to attach to the device besides root (TUNSETOWNER), or -1
     */
    public static Created create(String template, boolean vnetHdr, int owner) throws NativeException {
        if (template.length() >= NetIf.IFNAMSIZ) {
            throw new IllegalArgumentException("TAP name template '" + template + "' is too long");
        }
        int n = Errno.check("open", Unistd.open(IfTun.DEVICE, Unistd.O_RDWR | Unistd.O_CLOEXEC), IfTun.DEVICE);
        FileDescriptor fd = new FileDescriptor(n, "tap " + template);
        try {
            Memory req = new Memory(NetIf.SIZEOF_IFREQ);
            req.clear();
            byte[] bytes = template.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            req.write(0, bytes, 0, bytes.length);
            req.setShort(NetIf.IFR_UNION, (short) (IfTun.IFF_TAP | IfTun.IFF_NO_PI | (vnetHdr ? IfTun.IFF_VNET_HDR : 0)));
            Errno.check("ioctl(TUNSETIFF)", Ioctl.ioctl(fd.fd(), IfTun.TUNSETIFF, req), template);
            String name = req.getString(0, "US-ASCII");
            if (owner >= 0) {
                Errno.check("ioctl(TUNSETOWNER)", Ioctl.ioctl(fd.fd(), IfTun.TUNSETOWNER, (long) owner), name);
            }
            return new Created(fd, name);
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }
}
