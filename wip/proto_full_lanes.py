"""Prototype: think's arithmetic (without sensing) for blocks of 8 agents, explicit f32x8."""
import sys, math, numpy as np
from numba import njit
sys.path.insert(0, '/work/main/scripts'); sys.path.insert(0, '/tmp/lanes')
from profile_think import rdtsc
from vec import (vload, vstore, vsplat, vadd, vsub, vmul, vdiv, vlane, vset, vlt, vgt, veq, vand,
                 vsel, vsqrt, vabs, vcopysign)
L = 8; P = 10; PI = 11; A = 5; K = 4; D = 7; M = 8; S = 51; AP = A * P
f32 = np.float32

@njit(inline="always")
def vclip(v, lim):
    v = vsel(vgt(v, vsplat(-lim)), v, vsplat(-lim))
    return vsel(vlt(v, vsplat(lim)), v, vsplat(lim))

@njit(inline="always")
def vmax0(v):
    z = vsplat(0.0)
    return vsel(vgt(v, z), v, z)

@njit(inline="always")
def vexp(v):
    out = v
    for l in range(L):
        out = vset(out, l, math.exp(vlane(v, l)))
    return out

@njit(inline="always")
def vtanh(v):
    t = vexp(vmul(vsplat(-2.0), vabs(v)))
    one = vsplat(1.0)
    return vcopysign(vdiv(vsub(one, t), vadd(one, t)), v)

@njit(inline="always")
def ix(b, row, nrows):
    return (b * nrows + row) * L

@njit
def think_lanes(nb, senses, fcol, fw, feat, prev, pred, model, value, ef, es, visits, traits, genes,
                beta, affect, alpha, drives, memx, memn, mema, memw, act, energy, prev_energy,
                probs, age, rng, img, kf, ks):
    zero = vsplat(0.0); one = vsplat(1.0); half = vsplat(0.5)
    for b in range(nb):
        # features
        for k in range(P):
            acc = zero
            for q in range(10):
                acc = vadd(acc, vmul(vsplat(fw[k, q]), vload(senses, ix(b, fcol[k, q], S))))
            vstore(feat, ix(b, k, PI), acc)
        vstore(feat, ix(b, P, PI), one)
        a_t = vload(act, b * L)
        # surprise
        sq = zero
        for k in range(P):
            e = vsub(vload(feat, ix(b, k, PI)), vload(pred, ix(b, k, P)))
            sq = vadd(sq, vmul(e, e))
        sur = vsqrt(sq)
        prog = zero
        for a in range(A):
            hit = veq(a_t, vsplat(a))
            vis = vload(visits, ix(b, a, A))
            first = vand(hit, veq(vis, zero))
            f0 = vload(ef, ix(b, a, A)); s0 = vload(es, ix(b, a, A))
            f = vsel(first, sur, f0); s_ = vsel(first, sur, s0)
            nf = vadd(f, vmul(vsplat(kf), vsub(sur, f)))
            ns = vadd(s_, vmul(vsplat(ks), vsub(sur, s_)))
            vstore(ef, ix(b, a, A), vsel(hit, nf, f0))
            vstore(es, ix(b, a, A), vsel(hit, ns, s0))
            vstore(visits, ix(b, a, A), vsel(hit, vadd(vis, one), vis))
            prog = vsel(hit, vsub(ns, nf), prog)
        # couplings from affect: 0 temperature, 1 curiosity, 2 learning, 3 value, 4 memory
        cp2 = zero; cp3 = zero; cp4 = zero
        for k in range(K):
            ek = vload(affect, ix(b, k, K))
            cp2 = vadd(cp2, vmul(vload(genes, ix(b, 2 * K + k, 5 * K + 3)), ek))
            cp3 = vadd(cp3, vmul(vload(genes, ix(b, 3 * K + k, 5 * K + 3)), ek))
            cp4 = vadd(cp4, vmul(vload(genes, ix(b, 4 * K + k, 5 * K + 3)), ek))
        ls = vmax0(vadd(one, cp2))
        gain = vmul(vsub(vload(energy, b * L), vload(prev_energy, b * L)), vsplat(0.0125))
        bonus = vmul(vload(genes, ix(b, 5 * K, 5 * K + 3)), vtanh(cp3))
        cw = vload(traits, ix(b, 4, 5))
        rew = vclip(vadd(vadd(gain, vmul(cw, vmax0(prog))), bonus), f32(10.0))
        norm = zero; vo = zero; vn = zero
        for m in range(PI):
            xo = vload(prev, ix(b, m, PI)); w = vload(value, ix(b, m, PI))
            norm = vadd(norm, vmul(xo, xo))
            vo = vadd(vo, vmul(w, xo))
            vn = vadd(vn, vmul(w, vload(feat, ix(b, m, PI))))
        step = vdiv(one, vadd(one, norm))
        td = vclip(vsub(vadd(rew, vmul(vload(traits, ix(b, 3, 5)), vn)), vo), f32(10.0))
        vstep = vmul(vmul(vmul(vload(traits, ix(b, 2, 5)), ls), step), td)
        for m in range(PI):
            vstore(value, ix(b, m, PI), vclip(vadd(vload(value, ix(b, m, PI)), vmul(vstep, vload(prev, ix(b, m, PI)))), f32(1000.0)))
        rate = vmul(vmul(vload(traits, ix(b, 1, 5)), ls), step)
        for k in range(P):
            vstore(img, k * L, vmul(rate, vsub(vload(feat, ix(b, k, PI)), vload(pred, ix(b, k, P)))))
        for m in range(PI):
            xm = vload(prev, ix(b, m, PI))
            for a in range(A):
                hit = veq(a_t, vsplat(a))
                for k in range(P):
                    o = ix(b, m * AP + a * P + k, PI * AP)
                    w = vload(model, o)
                    vstore(model, o, vsel(hit, vclip(vadd(w, vmul(vload(img, k * L), xm)), f32(100.0)), w))
        # write weight and remember
        ww = vmul(half, vadd(one, vtanh(vmul(half, vadd(vadd(cp4, vmul(vload(genes, ix(b, 5 * K + 1, 5 * K + 3)), sur)), vload(genes, ix(b, 5 * K + 2, 5 * K + 3)))))))
        wv = vload(memw, ix(b, 0, M)); weakest = zero
        for j in range(1, M):
            mj = vload(memw, ix(b, j, M))
            better = vlt(mj, wv)
            wv = vsel(better, mj, wv); weakest = vsel(better, vsplat(j), weakest)
        keep = vgt(ww, wv)
        for j in range(M):
            put = vand(veq(weakest, vsplat(j)), keep)
            vstore(memw, ix(b, j, M), vsel(put, ww, vload(memw, ix(b, j, M))))
            vstore(mema, ix(b, j, M), vsel(put, a_t, vload(mema, ix(b, j, M))))
            for k in range(PI):
                o = ix(b, j * PI + k, M * PI)
                vstore(memx, o, vsel(put, vload(prev, ix(b, k, PI)), vload(memx, o)))
            for k in range(P):
                o = ix(b, j * P + k, M * P)
                vstore(memn, o, vsel(put, vload(feat, ix(b, k, PI)), vload(memn, o)))
        # drives, affect
        vstore(drives, ix(b, 0, D), sur); vstore(drives, ix(b, 1, D), gain)
        vstore(drives, ix(b, 5, D), prog); vstore(drives, ix(b, 6, D), one)
        for k in range(K):
            pull = zero
            for d in range(D):
                pull = vadd(pull, vmul(vload(beta, ix(b, k * D + d, K * D)), vload(drives, ix(b, d, D))))
            al = vload(alpha, ix(b, k, K))
            vstore(affect, ix(b, k, K), vtanh(vadd(vmul(al, vload(affect, ix(b, k, K))), vmul(vsub(one, al), pull))))
        # replay, per lane, every 10 ticks: one memory, scalar strided
        for l in range(L):
            if age[b * L + l] % 10 == 0:
                for s in range(2):
                    pick = s * 3 % M
                    a = int(mema[ix(b, pick, M) + l])
                    nrm = f32(1.0)
                    for q in range(PI):
                        xq = memx[ix(b, pick * PI + q, M * PI) + l]
                        nrm += xq * xq
                    stp = f32(0.3) * memw[ix(b, pick, M) + l] / nrm
                    for k in range(P):
                        accs = f32(0.0)
                        for q in range(PI):
                            accs += model[ix(b, q * AP + a * P + k, PI * AP) + l] * memx[ix(b, pick * PI + q, M * PI) + l]
                        cf = stp * (memn[ix(b, pick * P + k, M * P) + l] - accs)
                        for q in range(PI):
                            o = ix(b, q * AP + a * P + k, PI * AP) + l
                            v = model[o] + cf * memx[ix(b, pick * PI + q, M * PI) + l]
                            v = v if v > f32(-100.0) else f32(-100.0)
                            model[o] = v if v < f32(100.0) else f32(100.0)
        # couplings with the new affect, choice
        c0 = zero; c1 = zero
        for k in range(K):
            ek = vload(affect, ix(b, k, K))
            c0 = vadd(c0, vmul(vload(genes, ix(b, k, 5 * K + 3)), ek))
            c1 = vadd(c1, vmul(vload(genes, ix(b, K + k, 5 * K + 3)), ek))
        inv_t = vdiv(one, vmul(vload(traits, ix(b, 0, 5)), vexp(c0)))
        bold = vmul(cw, vexp(c1))
        fb = ix(b, 0, PI)
        x0=vload(feat, fb); x1=vload(feat, fb+8); x2=vload(feat, fb+16); x3=vload(feat, fb+24); x4=vload(feat, fb+32)
        x5=vload(feat, fb+40); x6=vload(feat, fb+48); x7=vload(feat, fb+56); x8=vload(feat, fb+64); x9=vload(feat, fb+72); x10=vload(feat, fb+80)
        st = AP * L
        for o in range(AP):
            base = ix(b, o, PI * AP)
            acc = vmul(vload(model, base), x0)
            acc = vadd(acc, vmul(vload(model, base + st), x1))
            acc = vadd(acc, vmul(vload(model, base + 2*st), x2))
            acc = vadd(acc, vmul(vload(model, base + 3*st), x3))
            acc = vadd(acc, vmul(vload(model, base + 4*st), x4))
            acc = vadd(acc, vmul(vload(model, base + 5*st), x5))
            acc = vadd(acc, vmul(vload(model, base + 6*st), x6))
            acc = vadd(acc, vmul(vload(model, base + 7*st), x7))
            acc = vadd(acc, vmul(vload(model, base + 8*st), x8))
            acc = vadd(acc, vmul(vload(model, base + 9*st), x9))
            acc = vadd(acc, vmul(vload(model, base + 10*st), x10))
            vstore(img, o * L, acc)
        best = vsplat(-np.inf); greedy = zero
        for a in range(A):
            v = zero
            for k in range(P):
                v = vadd(v, vmul(vload(value, ix(b, k, PI)), vload(img, (a * P + k) * L)))
            cur = vmax0(vsub(vload(es, ix(b, a, A)), vload(ef, ix(b, a, A))))
            sc = vadd(vadd(vload(value, ix(b, P, PI)), v), vmul(bold, cur))
            vstore(probs, ix(b, a, A), sc)
            better = vgt(sc, best)
            best = vsel(better, sc, best); greedy = vsel(better, vsplat(a), greedy)
        tot = zero
        for a in range(A):
            w = vexp(vmul(vsub(vload(probs, ix(b, a, A)), best), inv_t))
            vstore(probs, ix(b, a, A), w)
            tot = vadd(tot, w)
        chosen = zero
        for l in range(L):
            s0 = rng[b * L + l] + np.uint64(0x9E3779B97F4A7C15)
            rng[b * L + l] = s0
            z = (s0 ^ (s0 >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            u = (z >> np.uint64(11)) * (1.0 / 9007199254740992.0) * vlane(tot, l)
            cum = 0.0; ch = A - 1
            for a in range(A - 1):
                cum += probs[ix(b, a, A) + l]
                if u < cum:
                    ch = a
                    break
            chosen = vset(chosen, l, ch)
        for a in range(A):
            vstore(probs, ix(b, a, A), vdiv(vload(probs, ix(b, a, A)), tot))
        for k in range(P):
            pk = zero
            for a in range(A):
                pk = vsel(veq(chosen, vsplat(a)), vload(img, (a * P + k) * L), pk)
            vstore(pred, ix(b, k, P), pk)
        for m in range(PI):
            vstore(prev, ix(b, m, PI), vload(feat, ix(b, m, PI)))
        vstore(prev_energy, b * L, vload(energy, b * L))
        vstore(act, b * L, chosen)

def make(nb, seed=0):
    r = np.random.default_rng(seed)
    R = lambda *s: (r.standard_normal(s) * 0.1).astype(np.float32).ravel()
    fcol = np.stack([np.sort(r.choice(S, 10, replace=False)) for _ in range(P)]).astype(np.int64)
    return dict(senses=r.random(nb * S * L).astype(np.float32), fcol=fcol, fw=r.random((P, 10)).astype(np.float32) * 0.2,
                feat=R(nb, PI, L), prev=R(nb, PI, L), pred=R(nb, P, L), model=R(nb, PI, AP, L), value=R(nb, PI, L),
                ef=np.abs(R(nb, A, L)), es=np.abs(R(nb, A, L)), visits=r.integers(0, 3, nb * A * L).astype(np.float32),
                traits=np.abs(R(nb, 5, L)) + 0.1, genes=R(nb, 5 * K + 3, L), beta=R(nb, K * D, L), affect=R(nb, K, L),
                alpha=np.full(nb * K * L, 0.99, np.float32), drives=R(nb, D, L), memx=R(nb, M, PI, L), memn=R(nb, M, P, L),
                mema=r.integers(0, 5, nb * M * L).astype(np.float32), memw=np.abs(R(nb, M, L)),
                act=r.integers(0, 5, nb * L).astype(np.float32), energy=np.abs(R(nb, L)) * 100,
                prev_energy=np.abs(R(nb, L)) * 100, probs=np.zeros(nb * A * L, np.float32),
                age=r.integers(0, 1000, nb * L), rng=r.integers(0, 2**63, nb * L).astype(np.uint64),
                img=np.zeros(AP * L + 8, np.float32))

@njit
def timed(reps, nb, senses, fcol, fw, feat, prev, pred, model, value, ef, es, visits, traits, genes,
          beta, affect, alpha, drives, memx, memn, mema, memw, act, energy, prev_energy, probs, age, rng, img):
    t0 = rdtsc()
    for r in range(reps):
        think_lanes(nb, senses, fcol, fw, feat, prev, pred, model, value, ef, es, visits, traits, genes,
                    beta, affect, alpha, drives, memx, memn, mema, memw, act, energy, prev_energy,
                    probs, age, rng, img, f32(0.1), f32(0.01))
    return (rdtsc() - t0) / reps / (nb * L)

if __name__ == "__main__":
    for nb in (25, 1250):
        d = make(nb)
        best = 1e9
        for k in range(7):
            best = min(best, timed(max(1, 5000 // nb), nb, **d))
        print(nb * L, "agents: cycles/agent", round(best), "finite", np.isfinite(d["model"]).all(), np.isfinite(d["probs"]).all())
