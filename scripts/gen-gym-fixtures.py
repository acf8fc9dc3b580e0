#!/usr/bin/env python3
"""Regenerate test/fixtures/gym/*.json from Gymnasium itself (the reference our envs must match).

    python3 -m venv /tmp/gymvenv && /tmp/gymvenv/bin/pip install gymnasium
    /tmp/gymvenv/bin/python scripts/gen-gym-fixtures.py

Classic control: from given start states (written to env.unwrapped.state), a fixed action sequence;
each step records the action, the float32 observation, reward, terminated and the float64 state after
the step. Floats are written with repr(), which round-trips exactly through JSON.parse.
Toy text: SHA-256 digests of the transition tables P (and a few full tables), and Blackjack hands
played from fixed card sequences. The tests (test/env/gym-exact.test.ts) need no Python.
"""
import hashlib
import json
import os
import struct
import sys

import gymnasium as gym
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "gym")
RNG = np.random.default_rng(20240611)


def f(x):
    return float(x)


def run_classic(env_id, starts, policies, steps, kwargs=None, after_end=0, act_dtype=None):
    env = gym.make(env_id, **(kwargs or {})).unwrapped
    env.reset(seed=0)
    trajs = []
    for start, policy in zip(starts, policies):
        env.reset(seed=0)
        env.state = np.array(start, dtype=np.float64)
        rec = {"start": [f(v) for v in start], "steps": []}
        extra = None
        for _ in range(steps):
            a = policy(np.array(env.state, dtype=np.float64))
            obs, r, term, trunc, _info = env.step(a)
            rec["steps"].append({
                "a": [f(v) for v in a] if act_dtype else int(a),
                "obs": [f(v) for v in obs],
                "r": f(r),
                "term": bool(term),
                "state": [f(v) for v in np.asarray(env.state, dtype=np.float64)],
            })
            if term:
                extra = after_end if extra is None else extra - 1
                if extra <= 0:
                    break
        trajs.append(rec)
    return trajs


def rand_discrete(n):
    return lambda s: int(RNG.integers(n))


def cartpole():
    starts = [RNG.uniform(-0.05, 0.05, 4) for _ in range(3)] + [np.array([0.1, -0.2, 0.15, -0.3])]
    pd = lambda s: int(0.1 * s[0] + 0.5 * s[1] + 10.0 * s[2] + 2.0 * s[3] + RNG.normal(0, 0.3) > 0)
    policies = [rand_discrete(2), pd, pd, rand_discrete(2)]
    return {"id": "CartPole-v1", "trajectories": run_classic("CartPole-v1", starts, policies, 100, after_end=3)}


def mountain_car():
    starts = [[RNG.uniform(-0.6, -0.4), 0.0], [-0.3, 0.03], [-1.19, -0.05]]
    pump = lambda s: 2 if s[1] >= 0 else 0
    return {"id": "MountainCar-v0", "trajectories": run_classic("MountainCar-v0", starts, [rand_discrete(3), pump, rand_discrete(3)], 90)}


def pendulum():
    starts = [RNG.uniform([-np.pi, -1], [np.pi, 1]), [7.0, 7.9], [-3.0, -0.5]]
    act = lambda s: np.array([RNG.uniform(-3.0, 3.0)], dtype=np.float32)
    return {"id": "Pendulum-v1", "trajectories": run_classic("Pendulum-v1", starts, [act, act, act], 80, act_dtype="float32")}


def acrobot(variant):
    env_kwargs = {}
    starts = [RNG.uniform(-0.1, 0.1, 4).astype(np.float32).astype(np.float64), [3.0, -3.0, 12.0, -28.0]]
    trajs = []
    env = gym.make("Acrobot-v1").unwrapped
    env.book_or_nips = variant
    for start in starts:
        env.reset(seed=0)
        env.state = np.array(start, dtype=np.float64)
        rec = {"start": [f(v) for v in start], "steps": []}
        for _ in range(70 if variant == "book" else 30):
            a = int(RNG.integers(3))
            obs, r, term, _t, _i = env.step(a)
            rec["steps"].append({"a": a, "obs": [f(v) for v in obs], "r": f(r), "term": bool(term), "state": [f(v) for v in env.state]})
            if term:
                break
        trajs.append(rec)
    return {"id": "Acrobot-v1", "bookOrNips": variant, "trajectories": trajs}


def p_digest(P):
    h = hashlib.sha256()
    for s in range(len(P)):
        for a in range(len(P[s])):
            for p, ns, r, t in P[s][a]:
                h.update(f"{struct.pack('>d', float(p)).hex()},{int(ns)},{struct.pack('>d', float(r)).hex()},{int(bool(t))};".encode())
            h.update(b"|")
    return h.hexdigest()


def p_full(P):
    return [[[[float(p), int(ns), float(r), bool(t)] for p, ns, r, t in P[s][a]] for a in range(len(P[s]))] for s in range(len(P))]


def toytext():
    cases = []
    spec = [
        ("FrozenLake-v1", {}, True),
        ("FrozenLake-v1", {"is_slippery": False}, False),
        ("FrozenLake8x8-v1", {}, False),
        ("FrozenLake-v1", {"desc": ["SFFH", "FHFF", "FFHF", "HFFG"], "success_rate": 0.5, "reward_schedule": (10, -5, -1)}, False),
        ("CliffWalking-v1", {}, True),
        ("CliffWalkingSlippery-v1", {}, False),
        ("Taxi-v4", {}, False),
        ("Taxi-v4", {"is_rainy": True}, False),
        ("Taxi-v4", {"is_rainy": True, "rainy_probability": 0.7}, False),
    ]
    seen = set()
    for env_id, kw, full in spec:
        env = gym.make(env_id, **kw).unwrapped
        # initial-state distribution, sparse: {state: probability}
        initial = {str(i): float(x) for i, x in enumerate(env.initial_state_distrib) if x != 0}
        c = {"id": env_id, "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}, "digest": p_digest(env.P)}
        if env_id not in seen:  # the start distribution does not depend on the options
            c["initial"] = initial
            seen.add(env_id)
        if full:
            c["P"] = p_full(env.P)
        if env_id == "Taxi-v4" and not kw:
            c["actionMask"] = ["".join(str(int(x)) for x in env.action_mask(s)) for s in range(500)]
        cases.append(c)
    return cases


def blackjack():
    import gymnasium.envs.toy_text.blackjack as bj
    queue = []
    orig = bj.draw_card
    bj.draw_card = lambda _rng: queue.pop(0)
    out = []
    deck = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]
    fixed = [([1, 10], [10, 7]), ([1, 10], [1, 10]), ([10, 1], [9, 9]), ([1, 10], [10, 9]), ([1, 1], [6, 6]), ([1, 5], [1, 6])]
    try:
        for flags in [{"sab": False, "natural": False}, {"sab": False, "natural": True}, {"sab": True, "natural": False}]:
            env = bj.BlackjackEnv(**flags)
            queue[:] = [1, 2, 3, 4]
            env.reset(seed=0)
            hands = fixed + [([int(RNG.choice(deck)), int(RNG.choice(deck))], [int(RNG.choice(deck)), int(RNG.choice(deck))]) for _ in range(40)]
            for player, dealer in hands:
                cards = [int(RNG.choice(deck)) for _ in range(12)]
                queue[:] = list(cards)
                env.player, env.dealer = list(player), list(dealer)
                steps = []
                while True:
                    a = int(RNG.random() < 0.5)
                    obs, r, term, _t, _i = env.step(a)
                    steps.append({"a": a, "obs": [int(x) for x in obs], "r": float(r), "term": bool(term)})
                    if term:
                        break
                out.append({"flags": flags, "player": player, "dealer": dealer, "cards": cards, "used": len(cards) - len(queue), "steps": steps})
    finally:
        bj.draw_card = orig
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        "cartpole.json": cartpole(),
        "mountain-car.json": mountain_car(),
        "pendulum.json": pendulum(),
        "acrobot.json": [acrobot("book"), acrobot("nips")],
        "toytext.json": toytext(),
        "blackjack.json": blackjack(),
    }
    meta = {"gymnasium": gym.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    for name, data in files.items():
        path = os.path.join(OUT, name)
        with open(path + ".tmp", "w") as fh:
            json.dump({"generator": "scripts/gen-gym-fixtures.py", **meta, "data": data}, fh, separators=(",", ":"))
        os.replace(path + ".tmp", path)
        print(f"{name}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
