"""An independent reference: every update rule of shared/reference/update-rules.md in plain Python floats.

Written from the table, one coordinate at a time, without NumPy and without the optimizers package, so that
the tests compare two separate writings of each rule. `step(name, hp, theta, g, s, t, H=None)` returns
(new_theta, new_s) where theta and g are lists of floats, s a dict of per-coordinate lists, t the step (from 1).
"""

from __future__ import annotations

import math


def _new(s, key, n, value=0.0):
    if key not in s:
        s[key] = [value] * n
    return s[key]


def _sign(x):
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def step(name, hp, theta, g, s, t, H=None):
    n = len(theta)
    s = {k: list(v) if isinstance(v, list) else v for k, v in s.items()}
    out = list(theta)
    lr = hp["lr"]
    if name == "sgd":
        out = [theta[i] - lr * g[i] for i in range(n)]
    elif name in ("momentum", "nesterov"):
        b = _new(s, "b", n)
        mu = hp["momentum"]
        for i in range(n):
            b[i] = g[i] if t == 1 else mu * b[i] + g[i]  # torch: the buffer starts as a clone of g
            d = g[i] + mu * b[i] if name == "nesterov" else b[i]
            out[i] = theta[i] - lr * d
    elif name == "adagrad":
        acc = _new(s, "s", n, hp["initial_accumulator"])
        for i in range(n):
            acc[i] = acc[i] + g[i] * g[i]
            out[i] = theta[i] - lr * g[i] / (math.sqrt(acc[i]) + hp["eps"])
    elif name == "adadelta":
        v, u = _new(s, "v", n), _new(s, "u", n)
        rho, eps = hp["rho"], hp["eps"]
        for i in range(n):
            v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
            delta = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * g[i]
            u[i] = rho * u[i] + (1 - rho) * delta**2
            out[i] = theta[i] - lr * delta
    elif name == "rmsprop":
        v, gb, b = _new(s, "v", n), _new(s, "gbar", n), _new(s, "b", n)
        rho, eps, mu = hp["rho"], hp["eps"], hp["momentum"]
        for i in range(n):
            v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
            if hp["centered"]:
                gb[i] = rho * gb[i] + (1 - rho) * g[i]
                d = math.sqrt(v[i] - gb[i] ** 2) + eps
            else:
                d = math.sqrt(v[i]) + eps
            if mu > 0:
                b[i] = mu * b[i] + g[i] / d
                out[i] = theta[i] - lr * b[i]
            else:
                out[i] = theta[i] - lr * g[i] / d
    elif name in ("adam", "amsgrad", "adamw"):
        m, v, vmax = _new(s, "m", n), _new(s, "v", n), _new(s, "vmax", n)
        b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
        bc = hp.get("bias_correction", True)
        for i in range(n):
            th = theta[i] * (1 - lr * hp["weight_decay"]) if name == "adamw" else theta[i]
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            vmax[i] = max(vmax[i], v[i])
            vv = vmax[i] if name == "amsgrad" else v[i]
            mh = m[i] / (1 - b1**t) if bc else m[i]
            vh = vv / (1 - b2**t) if bc else vv
            out[i] = th - lr * mh / (math.sqrt(vh) + eps)
    elif name == "adamax":
        m, u = _new(s, "m", n), _new(s, "u", n)
        b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            u[i] = max(b2 * u[i], abs(g[i]) + eps)
            out[i] = theta[i] - lr / (1 - b1**t) * m[i] / u[i]
    elif name == "nadam":
        m, v = _new(s, "m", n), _new(s, "v", n)
        b1, b2, eps, psi = hp["beta1"], hp["beta2"], hp["eps"], hp["momentum_decay"]
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_t1 = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        s["prod"] = s.get("prod", 1.0) * mu_t
        prod = s["prod"]
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            d = math.sqrt(v[i] / (1 - b2**t)) + eps
            out[i] = theta[i] - lr * (1 - mu_t) / (1 - prod) * g[i] / d - lr * mu_t1 / (1 - prod * mu_t1) * m[i] / d
    elif name == "radam":
        m, v = _new(s, "m", n), _new(s, "v", n)
        b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            mh = m[i] / (1 - b1**t)
            if rho_t > 5:
                r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                l_t = math.sqrt(1 - b2**t) / (math.sqrt(v[i]) + eps)
                out[i] = theta[i] - lr * mh * r * l_t
            else:
                out[i] = theta[i] - lr * mh
    elif name == "yogi":
        s0 = hp["initial_accumulator"]
        m, v = _new(s, "m", n, s0), _new(s, "v", n, s0)
        b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            g2 = g[i] * g[i]
            sign = _sign(v[i] - g2)
            v[i] = v[i] - (1 - b2) * sign * g2
            mh, vh = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
            out[i] = theta[i] - lr / (math.sqrt(vh) + eps) * mh
    elif name == "adabelief":
        m, sv = _new(s, "m", n), _new(s, "s", n)
        b1, b2 = hp["beta1"], hp["beta2"]
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            sv[i] = b2 * sv[i] + (1 - b2) * (g[i] - m[i]) ** 2 + hp["eps_root"]
            mh, sh = m[i] / (1 - b1**t), sv[i] / (1 - b2**t)
            out[i] = theta[i] - lr / (math.sqrt(sh) + hp["eps"]) * mh
    elif name == "adafactor":
        v = _new(s, "v", n)
        beta2_hat = 1 - t ** hp["beta2_decay"]
        rho = min(lr, 1 / t**0.5)
        alpha = max(hp["eps2"], math.sqrt(sum(x * x for x in theta) / n)) * rho
        u = []
        for i in range(n):
            v[i] = beta2_hat * v[i] + (1 - beta2_hat) * g[i] ** 2
            u.append(g[i] / math.sqrt(max(v[i], hp["eps1"] ** 2)))
        denom = max(1.0, math.sqrt(sum(x * x for x in u) / n) / hp["d"])
        out = [theta[i] * (1 - lr * hp["weight_decay"]) - alpha / denom * u[i] for i in range(n)]
    elif name == "signum":
        m = _new(s, "m", n)
        for i in range(n):
            m[i] = hp["momentum"] * m[i] + (1 - hp["momentum"]) * g[i]
            out[i] = theta[i] - lr * _sign(m[i])
    elif name == "lion":
        m = _new(s, "m", n)
        for i in range(n):
            c = hp["beta1"] * m[i] + (1 - hp["beta1"]) * g[i]
            m[i] = hp["beta2"] * m[i] + (1 - hp["beta2"]) * g[i]
            out[i] = theta[i] - lr * (_sign(c) + hp["weight_decay"] * theta[i])
    elif name == "lookahead":  # over Adam: the fast weights are θ, the slow ones start at θ₀
        slow = s.get("slow", list(theta))
        inner = {k: v for k, v in s.items() if k != "slow"}
        fast, inner = step("adam", hp, theta, g, inner, t)
        if t % hp["sync_period"] == 0:
            slow = [slow[i] + hp["alpha"] * (fast[i] - slow[i]) for i in range(n)]
            fast = list(slow)
        s = {**inner, "slow": slow}
        out = fast
    elif name in ("sf_sgd", "sf_adamw"):
        # z: the base iterates (start at θ₀), x: their running average, y = θ: where the gradient is taken
        z, x, v = s.setdefault("z", list(theta)), s.setdefault("x", list(theta)), _new(s, "v", n)
        beta = hp["momentum"] if name == "sf_sgd" else hp["beta1"]
        for i in range(n):
            if name == "sf_sgd":
                d = g[i]
            else:
                v[i] = hp["beta2"] * v[i] + (1 - hp["beta2"]) * g[i] ** 2
                d = g[i] / (math.sqrt(v[i] / (1 - hp["beta2"] ** t)) + hp["eps"])
            z[i] = z[i] - lr * (d + hp["weight_decay"] * theta[i])
            x[i] = (1 - 1 / t) * x[i] + z[i] / t
            out[i] = (1 - beta) * z[i] + beta * x[i]
    elif name == "newton":
        assert n == 2
        a, b = H[0][0] + hp["damping"], H[0][1]
        c, d = H[1][0], H[1][1] + hp["damping"]
        det = a * d - b * c
        dx = (d * g[0] - b * g[1]) / det
        dy = (-c * g[0] + a * g[1]) / det
        out = [theta[0] - lr * dx, theta[1] - lr * dy]
    else:
        raise KeyError(name)
    return out, s
