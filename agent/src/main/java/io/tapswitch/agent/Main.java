package io.tapswitch.agent;

import io.tapswitch.agent.cli.DemoCommand;
import io.tapswitch.agent.cli.RunCommand;
import io.tapswitch.agent.ctl.CtlCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tapswitch} command line. */
@Command(name = "tapswitch", mixinStandardHelpOptions = true, version = "tapswitch 0.1.0",
        description = "A user-space learning Ethernet switch for TAP devices and QEMU labs.",
        subcommands = {RunCommand.class, DemoCommand.class, CtlCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
