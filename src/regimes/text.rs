//! Words, LaTeX and derivation sketches for every face (THEORY section 5).

use super::Regime;

/// What goes where on the face, in one line.
pub fn scaling(regime: Regime) -> &'static str {
    use Regime::*;
    match regime {
        Proportional => "r, q and alpha all finite (every leading diagram survives)",
        LargeData => "alpha -> inf with r, q finite",
        MeanField => "r -> inf, q -> 0 with c = q r finite; alpha finite",
        NarrowLatent => "r -> 0 with q, alpha finite",
        Free => "q -> inf with r, alpha finite",
        SmallData => "alpha -> 0 with q, r finite",
        LargeNarrow => "alpha -> inf, r -> 0; q finite",
        LargeMeanField => "alpha -> inf, r -> inf, q r = c finite",
        LargeFree => "alpha -> inf, q -> inf; r finite",
        SmallNarrow => "alpha -> 0, r -> 0 (alpha << r); q finite",
        SmallMeanField => "alpha -> 0, r -> inf, q r = c finite",
        SmallFree => "alpha -> 0, q -> inf; r finite",
        NarrowMeanField => "q r -> 0 (small initialization, linear flow); alpha finite",
        NarrowFree => "r -> 0, q -> inf (r q^2 sets the loss scale); alpha finite",
        MeanFieldFree => "r -> inf, c = q r -> inf; alpha finite",
        LargeNarrowMeanField => "alpha -> inf and q r -> 0 (linear flow, population case)",
        LargeNarrowFree => "alpha -> inf, r -> 0, q -> inf",
        LargeMeanFieldFree => "alpha -> inf, r -> inf, q r -> inf",
        SmallNarrowMeanField => "alpha -> 0 and q r -> 0 (linear flow on the data span)",
        SmallNarrowFree => "alpha -> 0, r -> 0, q -> inf",
        SmallMeanFieldFree => "alpha -> 0, r -> inf, q r -> inf",
    }
}

/// Which limit of THEORY section 5 applies on the face, in one sentence (the last sentence of a
/// classification's description).
pub fn summary(regime: Regime) -> &'static str {
    use Regime::*;
    match regime {
        Proportional => "none in closed form: every leading diagram survives (r, q, alpha all finite); prism gives the exact leading series and checks it against simulation.",
        LargeData => "F1, logistic per eigenvalue of A0 averaged over q MP_r: l(t) = (1/2) E_{x ~ mu_A} (1 - m_{4t}(x))^2, for both losses.",
        SmallData => "F5, one data direction on the semicircle Jacobi chain (a, g, A_perp); l_tr is O(1) in tau = t/alpha and l_pop changes at O(alpha).",
        NarrowLatent => "F3, each row of W evolves alone: the 2-dimensional ODE for a = |w|^2, b = w S w^T driven by the MGF of MP_{1/alpha}; loss changes are O(r).",
        MeanField => "F2, A0 -> c I, logistic in each eigenvalue of S: a = m_{4 lam t}(c), averaged over MP_{1/alpha}.",
        Free => "F4, the reduced cubic flow dAt/dtau = -(S At^2 + 2 At S At + At^2 S) in tau = q t, losses O(q^2); closed form (eta-transform) only at alpha = infinity, otherwise no closed form is known.",
        LargeNarrow => "E1, a single logistic m_{4t}(q): Delta l / r -> -[m - m^2/2 - (q - q^2/2)].",
        LargeMeanField => "E2, l -> (1/2)(1 - m_{4t}(c))^2 with c = q r.",
        LargeFree => "E3, l/q^2 -> (r/2) E_{MP_r}[lam^2/(1 + 4 tau lam)^2], closed form via the eta-transform.",
        SmallNarrow => "E4, exponential growth with rate kappa = 4 - 2q in tau = t/alpha: Delta l_tr/r -> -(q - q^2/2)(e^{kappa tau} - 1).",
        SmallMeanField => "E5, a = m_{4 tau}(c): l_tr -> (1/2)(1-a)^2, Delta l_pop/alpha -> (1/2)[(1-a)^2 - (1-c)^2].",
        SmallFree => "E6, the hatted Jacobi-chain flow in sigma = q t/alpha, losses O(q^2); no closed form.",
        NarrowMeanField => "E7, the linear small-initialization regime W(t) = W0 e^{2St}: Delta l_tr/(q r) -> -(phi'(4t) - 1), Delta l_pop/(q r) -> -(phi(4t) - 1).",
        NarrowFree => "E8, dx/dtau = -2 phi(x)^2: Delta l_tr/(r q^2) -> (phi^3 phi' - 1)/2, Delta l_pop/(r q^2) -> (phi^4 - 1)/2.",
        MeanFieldFree => "E9, l_tr/c^2 -> -(1/2) eta'_{1/alpha}(4 tau), l_pop/c^2 -> (1/2)(u eta_{1/alpha}(u))' at u = 4 tau, tau = c t.",
        LargeNarrowMeanField => "vertex, limit of E1 and E2 (and E7 at alpha = infinity): the linear regime with S = I, Delta l/(q r) -> -(e^{4t} - 1).",
        LargeNarrowFree => "vertex, limit of E1, E3 and E8 at alpha = infinity: Delta l/(r q^2) -> ((1 + 4 tau)^{-2} - 1)/2.",
        LargeMeanFieldFree => "vertex, limit of E2, E3 and E9 at alpha = infinity: l/c^2 -> (1/2)(1 + 4 tau)^{-2}, tau = c t.",
        SmallNarrowMeanField => "vertex, limit of E4 (q -> 0) and E5 (c -> 0): the data span grows linearly, Delta l_tr/(q r) -> -(e^{4 tau} - 1) and Delta l_pop/(q r alpha) -> -(e^{4 tau} - 1), tau = t/alpha.",
        SmallNarrowFree => "vertex, limit of E6 as r -> 0 (and E4 as q -> infinity): Delta l_tr/(r q^2) -> (e^{-2 sigma} - 1)/2, sigma = q t/alpha.",
        SmallMeanFieldFree => "vertex, limit of E9 as alpha -> 0 (and E5 as c -> infinity): l_tr/c^2 -> (1/2)(1 + 4 sigma)^{-2}, sigma = c t/alpha.",
    }
}

impl Regime {
    /// [`summary`]: the face's limit in one sentence.
    pub fn summary(self) -> &'static str {
        summary(self)
    }

    /// [`scaling`]: what goes where on the face.
    pub fn scaling(self) -> &'static str {
        scaling(self)
    }
}

/// The limit formula in words (both losses).
pub fn formula_words(regime: Regime) -> &'static str {
    use Regime::*;
    match regime {
        Proportional => "No closed form is known: the exact leading series (the g = 0 hierarchy) and simulation.",
        LargeData => "Each eigenvalue x of A0 ~ mu_A = (1-r) delta_0 + r (q MP_r) follows the logistic m_{4t}(x); both losses equal (1/2) E_{mu_A} (1 - m_{4t}(x))^2.",
        MeanField => "A stays a function of S: per eigenvalue lam of S ~ MP_{1/alpha}, a = m_{4 lam t}(c). l_tr = (1/2) E[lam (1-a)^2], l_pop = (1/2) E[(1-a)^2] (atom 1 - alpha at lam = 0 when alpha < 1).",
        NarrowLatent => "Rows of W evolve alone. With x' = 4 - 2a, B' = b, a = q e^{-2B} phi(x), b = q e^{-2B} phi'(x) (phi = MGF of MP_{1/alpha}): Delta l_tr/r = -[b(1 - a/2) - q(1 - q/2)], Delta l_pop/r = -[a - a^2/2 - (q - q^2/2)].",
        Free => "Targets drop out: dAt/dtau = -(S At^2 + 2 At S At + At^2 S), l_tr/q^2 = (1/2) phi(S At^2), l_pop/q^2 = (1/2) phi(At^2). At alpha = inf: (r/2) E_{MP_r}[lam^2/(1+4 tau lam)^2] = (r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau. At finite alpha no closed form is known: numerical limit of the reduced flow, plus the exact series.",
        SmallData => "One data direction on the semicircle Jacobi chain: a' = 4a(1-a) - 2|g|^2, g' = (2 - 3a) g - A_perp g, A_perp' = -2 g g^T (a(0) = q r, A_perp(0) = Jacobi(q(1+r), q sqrt r), g(0) = q sqrt(r) e_1). l_tr = (1/2)[(1-a)^2 + |g|^2]; Delta l_pop/alpha = (1/2)[(1-a)^2 - (1-qr)^2] + (|g|^2 - q^2 r) + 2 int_0^tau (|g|^2 - g^T A_perp g). No closed form (equivalently a Riccati equation for the spectral measure of u).",
        LargeNarrow => "m = m_{4t}(q); both Delta l/r = -[m - m^2/2 - (q - q^2/2)].",
        LargeMeanField => "Both losses equal (1/2)(1 - m_{4t}(c))^2.",
        LargeFree => "Both l/q^2 = (r/2) E_{MP_r}[lam^2/(1 + 4 tau lam)^2] = (r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau.",
        SmallNarrow => "kappa = 4 - 2q: Delta l_tr/r = -(q - q^2/2)(e^{kappa tau} - 1); Delta l_pop/(r alpha) = -4q(1-q)^2 (e^{kappa tau} - 1)/kappa.",
        SmallMeanField => "a = m_{4 tau}(c): l_tr = (1/2)(1 - a)^2; Delta l_pop/alpha = (1/2)[(1 - a)^2 - (1 - c)^2].",
        SmallFree => "The small-data chain without targets: ah' = -4 ah^2 - 2|gh|^2, gh' = -(3 ah + Ah) gh, Ah' = -2 gh gh^T (ah(0) = r, Ah(0) = Jacobi(1+r, sqrt r), gh(0) = sqrt(r) e_1); l_tr/q^2 = (1/2)(ah^2 + |gh|^2), Delta l_pop/(alpha q^2) = (1/2)(ah^2 - r^2) + (|gh|^2 - r) - 2 int gh^T Ah gh. No closed form.",
        NarrowMeanField => "Linear flow W = W0 e^{2 S t}: Delta l_tr/(q r) = -(phi'(4t) - 1), Delta l_pop/(q r) = -(phi(4t) - 1).",
        NarrowFree => "x' = -2 phi(x)^2, x(0) = 0: Delta l_tr/(r q^2) = (1/2)(phi(x)^3 phi'(x) - 1), Delta l_pop/(r q^2) = (1/2)(phi(x)^4 - 1).",
        MeanFieldFree => "u = 4 tau: l_tr/c^2 = (1/2) E_{MP_{1/alpha}}[lam/(1 + u lam)^2] = -(1/2) eta'(u), l_pop/c^2 = (1/2) E[1/(1 + u lam)^2] = (1/2)(u eta(u))', eta = eta_{1/alpha}.",
        LargeNarrowMeanField => "Both Delta l/(q r) = -(e^{4t} - 1).",
        LargeNarrowFree => "Both Delta l/(r q^2) = (1/2)((1 + 4 tau)^{-2} - 1).",
        LargeMeanFieldFree => "Both l/(q r)^2 = (1/2)(1 + 4 tau)^{-2}.",
        SmallNarrowMeanField => "Delta l_tr/(q r) = Delta l_pop/(q r alpha) = -(e^{4 tau} - 1).",
        SmallNarrowFree => "Delta l_tr/(r q^2) = (1/2)(e^{-2 sigma} - 1); Delta l_pop/(alpha r q^2) = 2(e^{-2 sigma} - 1).",
        SmallMeanFieldFree => "l_tr/(q r)^2 = (1/2)(1 + 4 sigma)^{-2}; Delta l_pop/(alpha (q r)^2) = (1/2)((1 + 4 sigma)^{-2} - 1).",
    }
}

/// The limit formula in LaTeX (both losses).
pub fn formula_latex(regime: Regime) -> &'static str {
    use Regime::*;
    match regime {
        Proportional => {
            r"\text{no closed form: } \ell(t) = \sum_s c_s^{(g=0)}(r,q,1/\alpha)\, t^s/s!"
        }
        LargeData => {
            r"\ell_{tr}=\ell_{pop}=\tfrac12\,\mathbb{E}_{x\sim\mu_A}\big(1-m_{4t}(x)\big)^2,\quad m_s(x)=\frac{x e^s}{1+x(e^s-1)},\ \mu_A=(1-r)\delta_0+r\,(q\,\mathrm{MP}_r)"
        }
        MeanField => {
            r"\ell_{tr}=\tfrac12\,\mathbb{E}_{\lambda\sim \mathrm{MP}_{1/\alpha}}\big[\lambda(1-a_\lambda)^2\big],\ \ell_{pop}=\tfrac12\,\mathbb{E}\big[(1-a_\lambda)^2\big],\quad a_\lambda=m_{4\lambda t}(c)"
        }
        NarrowLatent => {
            r"\frac{\Delta\ell_{tr}}{r}=-\big[b(1-\tfrac a2)-q(1-\tfrac q2)\big],\ \frac{\Delta\ell_{pop}}{r}=-\big[a-\tfrac{a^2}2-(q-\tfrac{q^2}2)\big],\ a=qe^{-2B}\varphi(4t-2A),\ b=qe^{-2B}\varphi'(4t-2A),\ A'=a,\ B'=b"
        }
        Free => {
            r"\frac{\ell_{tr}}{q^2}=\tfrac12\varphi(S\tilde A^2),\ \frac{\ell_{pop}}{q^2}=\tfrac12\varphi(\tilde A^2),\ \frac{d\tilde A}{d\tau}=-(S\tilde A^2+2\tilde AS\tilde A+\tilde A^2S);\ \alpha=\infty:\ \frac{r}{2u^2}\big[1-\eta_r(u)+u\eta_r'(u)\big],\ u=4\tau"
        }
        SmallData => {
            r"\ell_{tr}=\tfrac12\big[(1-a)^2+|g|^2\big],\ \frac{\Delta\ell_{pop}}{\alpha}=\tfrac12\big[(1-a)^2-(1-qr)^2\big]+|g|^2-q^2r+2\!\int_0^\tau\!(|g|^2-g^\top A_\perp g),\ a'=4a(1-a)-2|g|^2,\ g'=(2-3a)g-A_\perp g,\ A_\perp'=-2gg^\top"
        }
        LargeNarrow => {
            r"\frac{\Delta\ell}{r}=-\big[m-\tfrac{m^2}2-(q-\tfrac{q^2}2)\big],\ m=m_{4t}(q)"
        }
        LargeMeanField => r"\ell=\tfrac12\big(1-m_{4t}(c)\big)^2",
        LargeFree => {
            r"\frac{\ell}{q^2}=\frac r2\,\mathbb{E}_{\mathrm{MP}_r}\Big[\frac{\lambda^2}{(1+4\tau\lambda)^2}\Big]=\frac{r}{2u^2}\big[1-\eta_r(u)+u\eta_r'(u)\big],\ u=4\tau"
        }
        SmallNarrow => {
            r"\frac{\Delta\ell_{tr}}{r}=-(q-\tfrac{q^2}2)(e^{\kappa\tau}-1),\ \frac{\Delta\ell_{pop}}{r\alpha}=-4q(1-q)^2\frac{e^{\kappa\tau}-1}{\kappa},\ \kappa=4-2q"
        }
        SmallMeanField => {
            r"\ell_{tr}=\tfrac12(1-a)^2,\ \frac{\Delta\ell_{pop}}{\alpha}=\tfrac12\big[(1-a)^2-(1-c)^2\big],\ a=m_{4\tau}(c)"
        }
        SmallFree => {
            r"\frac{\ell_{tr}}{q^2}=\tfrac12(\hat a^2+|\hat g|^2),\ \frac{\Delta\ell_{pop}}{\alpha q^2}=\tfrac12(\hat a^2-r^2)+|\hat g|^2-r-2\!\int_0^\sigma\!\hat g^\top\hat A\hat g,\ \hat a'=-4\hat a^2-2|\hat g|^2,\ \hat g'=-(3\hat a+\hat A)\hat g,\ \hat A'=-2\hat g\hat g^\top"
        }
        NarrowMeanField => {
            r"\frac{\Delta\ell_{tr}}{qr}=-(\varphi'(4t)-1),\ \frac{\Delta\ell_{pop}}{qr}=-(\varphi(4t)-1)"
        }
        NarrowFree => {
            r"\frac{\Delta\ell_{tr}}{rq^2}=\tfrac12(\varphi(x)^3\varphi'(x)-1),\ \frac{\Delta\ell_{pop}}{rq^2}=\tfrac12(\varphi(x)^4-1),\ \frac{dx}{d\tau}=-2\varphi(x)^2,\ x(0)=0"
        }
        MeanFieldFree => {
            r"\frac{\ell_{tr}}{c^2}=-\tfrac12\eta_{1/\alpha}'(4\tau),\ \frac{\ell_{pop}}{c^2}=\tfrac12\,(u\,\eta_{1/\alpha}(u))'\big|_{u=4\tau}"
        }
        LargeNarrowMeanField => r"\frac{\Delta\ell}{qr}=-(e^{4t}-1)",
        LargeNarrowFree => r"\frac{\Delta\ell}{rq^2}=\tfrac12\big((1+4\tau)^{-2}-1\big)",
        LargeMeanFieldFree => r"\frac{\ell}{(qr)^2}=\tfrac12(1+4\tau)^{-2}",
        SmallNarrowMeanField => {
            r"\frac{\Delta\ell_{tr}}{qr}=\frac{\Delta\ell_{pop}}{qr\alpha}=-(e^{4\tau}-1)"
        }
        SmallNarrowFree => {
            r"\frac{\Delta\ell_{tr}}{rq^2}=\tfrac12(e^{-2\sigma}-1),\ \frac{\Delta\ell_{pop}}{\alpha rq^2}=2(e^{-2\sigma}-1)"
        }
        SmallMeanFieldFree => {
            r"\frac{\ell_{tr}}{(qr)^2}=\tfrac12(1+4\sigma)^{-2},\ \frac{\Delta\ell_{pop}}{\alpha(qr)^2}=\tfrac12\big((1+4\sigma)^{-2}-1\big)"
        }
    }
}

/// A derivation sketch (for `prism limit --explain FACE`).
pub fn explain(regime: Regime) -> String {
    use Regime::*;
    let body: &str = match regime {
        Proportional => "\
r, q and alpha all finite: the direction u is 0 and the face is the whole prism, so every leading
monomial of every c_s survives. The flow is nonlinear in W, A0 and S do not commute, and the
moment hierarchy of (A, S) does not close: no closed form is known. What is exact is the leading
series l(t) = sum_s c_s^{(g=0)}(r, q, 1/alpha) t^s/s! (the hierarchy itself), to the order the
expansion reaches; beyond its apparent radius of convergence use simulation (prism simulate,
prism check).",
        LargeData => "\
alpha -> inf: S -> I, so dA/dt = BA + AB with B = 2(I - A) gives dM/dt = 4(M - M^2). M commutes
with itself, so each eigenvalue follows the logistic m' = 4m(1-m): m(t) = m_{4t}(x), x an
eigenvalue of A0. The spectrum of A0 is mu_A = (1-r) delta_0 + r (q MP_r) (M0/q ~ MP_r), and both
losses are (1/2p)|I - A|_F^2 = (1/2) E_{mu_A}(1 - m_{4t}(x))^2. For r > 1 the atom of MP_r at 0
adds (r-1)/2 and cancels (1-r)/2. Numerically: E_{mu_A} h = h(0) + r E_{SC(1+r,2 sqrt r)}
[(h(q lam) - h(0))/lam] (lam MP_r = semicircle), a smooth integrand for Gauss-Chebyshev.
Hierarchy side: l = 0 (only monomials without 1/alpha survive).
Correction O(1/alpha); the train limit needs t << sqrt(alpha).",
        MeanField => "\
r -> inf with c = q r: A0 = W0^T W0 is a sum of H rank-one terms of size q, so A0 -> c I (a law
of large numbers; fluctuations are O(1/sqrt r)). Then A(t) stays a function of S and commutes
with it: per eigenvalue lam of S, da/dt = 4 lam a (1 - a), a(0) = c, i.e. a = m_{4 lam t}(c).
l_tr = (1/2p) tr[(I-A) S (I-A)] = (1/2) E[lam (1-a)^2], l_pop = (1/2) E[(1-a)^2] with
lam ~ MP_{1/alpha}; when alpha < 1 the atom 1 - alpha at lam = 0 stays at a = c.
Hierarchy side: k = j (monomials r^k q^k = c^k). Correction O(1/r); at t = 0 exactly c^2/(2r).",
        NarrowLatent => "\
r -> 0: each row w of W evolves alone (cross terms enter at relative order r):
dw/dt = 2wS - |w|^2 wS - (wSw^T) w = (2 - a) w S - b w, with a = |w|^2, b = wSw^T.
S is fixed and (2 - a), b are scalars, so w(t) = e^{-B} w0 e^{S (2t - Aint)} with Aint' = a,
B' = b. Since w0 is isotropic with |w0|^2 -> q and independent of S,
a = q e^{-2B} phi(4t - 2Aint), b = q e^{-2B} phi'(4t - 2Aint), phi the MGF of MP_{1/alpha}. The losses are 1/2 - r [b(1 - a/2)] and 1/2 - r [a - a^2/2] up to O(r^2).
Solved here as the 2-d ODE x' = 4 - 2qE phi(x), E' = -2q E^2 phi'(x) (x = 4t - 2Aint, E = e^{-2B}).
Hierarchy side: k = 1; the s = 0 row is the r-linear part of l(0). Correction O(r).",
        Free => "\
q -> inf: rescale W = sqrt(q) Wt and tau = q t. The target terms of the gradient are O(1/q)
relative to the cubic ones and drop out: dAt/dtau = -(S At^2 + 2 At S At + At^2 S), the gradient
flow of (1/2) tr(S A^2); l_tr/q^2 -> (1/2) phi(S At^2), l_pop/q^2 -> (1/2) phi(At^2).
With S = I (alpha = inf) dAt/dtau = -4 At^2, At = At0 (I + 4 tau At0)^{-1}, and the average over
MP_r is a closed form in the eta-transform. At finite alpha the flow does not preserve commutation
with S and the (At, S) moment hierarchy does not close: NO CLOSED FORM IS KNOWN. prism gives
(1) the exact Taylor series in tau, from the reduced flow through free probability (At0 free
Poisson with cumulants r, S free Poisson with cumulants y^(n-1)), and (2) the numerical limit:
simulations of the reduced flow at growing p, extrapolated in 1/p, with error bars.
Hierarchy side: j = s + 2. Valid for tau << q; correction O(1/q).",
        SmallData => "\
alpha -> 0, tau = t/alpha: alpha S -> P, the projector on the N-dimensional data span, and the N
data directions decouple (other columns act at O(N/H)). For one direction u, with a = u^T A u,
g = (I - uu^T) A u and A_perp the compression of A to u-perp:
  a' = 4a(1-a) - 2|g|^2,  g' = (2 - 3a) g - A_perp g,  A_perp' = -2 g g^T.
A_perp cannot be frozen: the rank-2 update column v makes acts on v itself at O(1).
The spectral measure of g(0) w.r.t. A_perp(0) is q^2 r SC(q(1+r), 2q sqrt r), whose orthogonal
polynomials are Chebyshev-U, so the Lanczos form is exact: A_perp(0) is the Jacobi matrix with
diagonal q(1+r) and off-diagonal q sqrt r, g(0) = q sqrt(r) e_1. Truncating at K sites is exact
through order 2K-1 in tau; prism picks K from the horizon and checks it by doubling.
Equivalent: the Riccati equation dPhi/dtau = -4z(z-1)Phi^2 + (6z - 4 + 2a)Phi - 2 for
Phi(z) = u^T (z - A)^{-1} u, a = lim z(z Phi - 1) (used as a cross-check). No closed form.
Hierarchy side: l = s (train), l = s - 1 (pop; its series starts at s = 1). Correction O(alpha).",
        LargeNarrow => "\
From F1: MP_r -> delta_1 as r -> 0, so mu_A = (1-r) delta_0 + r delta_q and
Delta l/r = -[(m - m^2/2) - (q - q^2/2)] with m = m_{4t}(q). From F3: alpha = inf gives
phi(z) = e^z, so b = a and d ln a/dt = 4 - 2a - 2b = 4(1 - a): the same logistic.
Hierarchy side: l = 0, k = 1.",
        LargeMeanField => "\
From F1: the bulk of q MP_r (mass 1/r) sits at c = q r and the atom's (r-1)/2 cancels (1-r)/2.
From F2: MP_{1/alpha} -> delta_1. Both give l = (1/2)(1 - m_{4t}(c))^2. Hierarchy side: l = 0, k = j.",
        LargeFree => "\
From F1 with m_{4 tau/q}(q lam) ~ q lam/(1 + 4 lam tau); from F4 with S = I. The MP_r average is
(r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau, since
lam^2/(1+u lam)^2 = u^{-2}(1 - 2/(1+u lam) + 1/(1+u lam)^2) and E[1/(1+u lam)^2] = (u eta)'.
Hierarchy side: l = 0, j = s + 2.",
        SmallNarrow => "\
From F5 linearized in r: SC(q(1+r), 2q sqrt r) -> delta_q, so |g|^2 = q^2 r e^{kappa tau},
a = q r e^{kappa tau}, kappa = 4 - 2q. From F3 with alpha -> 0: a row's data-span component grows
as e^{(2-q) tau}. Valid while r e^{kappa tau} << 1 (alpha << r).
Hierarchy side: k = 1, l = s (train) / s - 1 (pop).",
        SmallMeanField => "\
From F5: a(0) = c and |g(0)|^2 = c^2/r -> 0, so the chain decouples and a' = 4a(1-a). From F2:
MP_{1/alpha} = (1 - alpha) delta_0 + alpha delta_{1/alpha} with lam t = tau.
Hierarchy side: k = j, l = s (train) / s - 1 (pop).",
        SmallFree => "\
From F5 with q -> inf (a = q ah, g = q gh, A_perp = q Ah, sigma = q tau): the target terms drop.
From F4 with S = P/alpha. Same structure as F5: no closed form; the chain is solved with K chosen
from the horizon and checked by doubling. The r -> 0 end gives Delta l_tr/(r q^2) = (e^{-2 sigma} - 1)/2.
Hierarchy side: l = s (train) / s - 1 (pop), j = s + 2.",
        NarrowMeanField => "\
q r -> 0 (vertex (0,0) of T): the cubic terms vanish and the flow is linear,
W(t) = W0 e^{2St}. Freeness gives phi_p(S e^{2St} A0 e^{2St}) -> q r phi'(4t) and
phi_p(e^{2St} A0 e^{2St}) -> q r phi(4t). From F3 (q -> 0): a ~ q phi(4t), b ~ q phi'(4t); from
F2 (c -> 0): a ~ c e^{4 lam t}. Valid for t << log(1/(q r))/(4 lam_max).
Hierarchy side: k = j = 1.",
        NarrowFree => "\
From F3 with q -> inf (tau = q t): the target term 4t drops; with x = -2 int a/q and y = -2B,
dy/dx = phi'/phi gives e^{-2B} = phi(x), so a/q = phi(x)^2, b/q = phi(x) phi'(x) and
dx/dtau = -2 phi(x)^2. From F4 with r -> 0: rows decouple, dw/dtau = -|w|^2 w S - (wSw^T) w.
At alpha = inf phi = e^x gives phi^4 = (1 + 4 tau)^{-2}, matching E3 at r -> 0.
Hierarchy side: k = 1, j = s + 2; the s = 0 row is the r q^2 part of l(0).",
        MeanFieldFree => "\
From F2 with c -> inf (tau = c t): a/c -> 1/(1 + 4 lam tau). From F4 with r -> inf: At ~ r I
commutes with S, At/r = (I + 4 S tau)^{-1}. The MP averages are eta-transform derivatives.
Hierarchy side: k = j = s + 2.",
        LargeNarrowMeanField => "\
Vertex (0,0) x {0}, the limit of its three edges: E7 with alpha = inf (phi = e^x) gives
-(e^{4t} - 1); E1 with q -> 0 gives m ~ q e^{4t}; E2 with c -> 0 gives the same.
Hierarchy side: (k, j, l) = (1, 1, 0) at every order: c_s = -4^s.",
        LargeNarrowFree => "\
Vertex (0,1) x {0}: E8 with alpha = inf: phi = e^x, dx/dtau = -2 e^{2x}, e^{-2x} = 1 + 4 tau,
phi^4 = phi^3 phi' = (1 + 4 tau)^{-2}. E3 with r -> 0: MP_r -> delta_1, (r/2)(1 + 4 tau)^{-2}.
E4 with q -> inf: the coefficient of q^{s+2}. Hierarchy side: (1, s+2, 0).",
        LargeMeanFieldFree => "\
Vertex (1,1) x {0}: E9 with alpha = inf: (1/2)(1 + 4 tau)^{-2} for both; E2 with c -> inf:
m_{4t}(c) ~ c/(1 + 4 c t); E3 with r -> inf. Hierarchy side: (s+2, s+2, 0).",
        SmallNarrowMeanField => "\
Vertex (0,0) x {1}: E7 with alpha -> 0: phi(4t) ~ 1 + alpha(e^{4 tau} - 1), phi'(4t) ~ e^{4 tau};
E4 with q -> 0 (kappa -> 4): -(q - q^2/2)(e^{4 tau} - 1) ~ -q (e^{4 tau} - 1);
E5 with c -> 0. Hierarchy side: (1, 1, s) train, (1, 1, s-1) pop.",
        SmallNarrowFree => "\
Vertex (0,1) x {1}: E8 with alpha -> 0 (x = alpha xi, xi = -2 sigma): phi^4 ~ 1 + 4 alpha
(e^{-2 sigma} - 1), phi^3 phi' ~ e^{-2 sigma}; E6 with r -> 0: |gh|^2 = r e^{-2 sigma};
E4 with q -> inf. Hierarchy side: (1, s+2, s) train, (1, s+2, s-1) pop.",
        SmallMeanFieldFree => "\
Vertex (1,1) x {1}: E5 with c -> inf: a ~ c/(1 + 4 sigma); E9 with alpha -> 0 (mass alpha at
1/alpha); E6 with r -> inf. Hierarchy side: (s+2, s+2, s) train, (s+2, s+2, s-1) pop.",
    };
    format!(
        "{label} {name}: {scaling}\n\ntime: {time}\ntrain quantity: {qt}\npop quantity:   {qp}\nconstants: {consts}\n\nlimit: {words}\n\nLaTeX: {latex}\n\nderivation:\n{body}\n",
        label = regime.label(),
        name = regime.name(),
        scaling = scaling(regime),
        time = regime.time_variable(),
        qt = regime.quantity(super::Loss::Train),
        qp = regime.quantity(super::Loss::Pop),
        consts = {
            let c = regime.constant_names();
            if c.is_empty() {
                "none".to_string()
            } else {
                c.join(", ")
            }
        },
        words = formula_words(regime),
        latex = formula_latex(regime),
    )
}
