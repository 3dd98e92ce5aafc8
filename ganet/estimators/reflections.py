"""Named points on a deep neuron's parallel kink planes: reflections and averages of training
points (ZP Theorems 4.1, 4.3–4.5), e.g. ``R(x2, x1) = 2·x1 − x2``."""

__all__ = ["reflection_points"]


def reflection_points(X, w, planes, rounds=2):
    """Points on a neuron's parallel kink planes xᵀw = v named by reflections of training points.

    Where two planes v₁ ≠ v₂ are symmetric about a third, m = (v₁ + v₂)/2, a point b on v₁ and a
    point a on m give the reflection R(b, a) = 2a − b on v₂; points a on v₁ and b on v₂ with
    nothing on m give their average on m. Repeating with the points found names reflections of
    reflections (the higher orders of ZP's Theorem 4.5).
    """
    values = [v for v, _ in planes]
    points = {f"x{i}": X[i] for _, on in planes for i in on}
    tol = 1e-9 * max(1.0, max(abs(v) for v in values) if values else 1.0)
    where = lambda p: next((v for v in values if abs(p @ w - v) <= tol), None)  # noqa: E731
    found = []
    for _ in range(rounds):
        new = {}
        located = {name: where(p) for name, p in points.items()}
        for m in values:
            for v1 in values:
                v2 = 2 * m - v1
                if abs(v1 - m) <= tol or not any(abs(v2 - v) <= tol for v in values):
                    continue
                on_m = [k for k, v in located.items() if v is not None and abs(v - m) <= tol]
                on_1 = [k for k, v in located.items() if v is not None and abs(v - v1) <= tol]
                on_2 = [k for k, v in located.items() if v is not None and abs(v - v2) <= tol]
                for b in on_1:
                    for a in on_m:
                        name = f"R({b}, {a})"
                        if name not in points and name not in new:
                            new[name] = 2 * points[a] - points[b]
                    for a in ([] if on_m else on_2):
                        name = f"avg({min(a, b)}, {max(a, b)})"
                        if name not in points and name not in new:
                            new[name] = (points[a] + points[b]) / 2
        if not new:
            break
        points.update(new)
        found += [(_reflection_name(k), p) for k, p in new.items()]
    return tuple(found)


def _reflection_name(key):
    """'R(x2, x1) = 2·x1 − x2' or 'avg(x1, x3) = (x1 + x3)/2'."""
    inner = key[key.index("(") + 1:-1]
    depth = 0
    for at, char in enumerate(inner):  # split at the top-level comma: the arguments nest
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            break
    a, b = inner[:at], inner[at + 2:]
    return f"{key} = 2·{b} − {a}" if key.startswith("R(") else f"{key} = ({a} + {b})/2"
