package io.tapswitch.agent.cli;

import io.tapswitch.agent.client.CtlCommand;
import io.tapswitch.agent.client.VmCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code tapswitch} command line. */
@Command(name = "tapswitch", mixinStandardHelpOptions = true, version = "tapswitch 0.1.0",
        description = "A user-space learning Ethernet switch for TAP devices and QEMU labs.",
        subcommands = {RunCommand.class, DemoCommand.class, CtlCommand.class, io.tapswitch.agent.client.CaptureCommand.class, VmCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its parser settings: {@code vm exec} takes everything after the VM's
     * name as the guest's command, options like {@code ping -c 3} included.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("vm").getSubcommands().get("exec").setStopAtPositional(true);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
