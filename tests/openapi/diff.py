#!/usr/bin/env python3
"""Compares two OpenAPI documents by what each operation says, not by how it is spelled.

Every request and response schema is resolved ($ref, allOf, oneOf with null) into flat facts:
`<where> <json path>: type=…`, `enum=…`, `format=…`, `required`, `readOnly`, and descriptions.
Facts only in the old document are information the new one lost; facts only in the new one
are additions. Schema names and their arrangement (components, allOf) do not count.

    python3 tests/openapi/diff.py before.json after.json [--descriptions]
"""
import json
import sys


def resolve(doc, schema, seen=()):
    if not isinstance(schema, dict):
        return {}
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return {"recursive": name}
        target = doc["components"]["schemas"][name]
        merged = dict(resolve(doc, target, seen + (name,)))
        for k, v in schema.items():
            if k != "$ref":
                merged[k] = v
        return merged
    if "allOf" in schema:
        out = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            p = resolve(doc, part, seen)
            out["properties"].update(p.get("properties", {}))
            out["required"] += p.get("required", [])
            for k in ("description", "additionalProperties"):
                if k in p and k not in out:
                    out[k] = p[k]
        if "description" in schema:
            out["description"] = schema["description"]
        return out
    if "oneOf" in schema:
        options = [o for o in schema["oneOf"] if o.get("type") != "null"]
        if len(options) == 1:
            merged = dict(resolve(doc, options[0], seen))
            merged["nullable"] = True
            if "description" in schema:
                merged["description"] = schema["description"]
            return merged
        return {"oneOf": [resolve(doc, o, seen) for o in options],
                "description": schema.get("description")}
    return schema


def facts(doc, schema, where, path, out, descriptions, depth=0):
    s = resolve(doc, schema)
    if depth > 12:
        return
    t = s.get("type")
    options = s.get("oneOf", [])
    if not t and options and all(resolve(doc, o).get("type") == "object" for o in options):
        t = "object"
    if isinstance(t, list):
        t = sorted(x for x in t if x != "null")
        t = t[0] if len(t) == 1 else ",".join(t)
    if t:
        out.add(f"{where} {path}: type={t}")
    for key in ("enum", "format", "minimum", "maximum", "minLength", "maxLength", "readOnly"):
        if key in s:
            out.add(f"{where} {path}: {key}={json.dumps(s[key], sort_keys=True)}")
    if descriptions and s.get("description"):
        out.add(f"{where} {path}: description={s['description']}")
    if "recursive" in s:
        out.add(f"{where} {path}: recursive={s['recursive']}")
    for name in s.get("required", []):
        out.add(f"{where} {path}.{name}: required")
    for name, sub in s.get("properties", {}).items():
        facts(doc, sub, where, f"{path}.{name}", out, descriptions, depth + 1)
    if "items" in s:
        facts(doc, s["items"], where, f"{path}[]", out, descriptions, depth + 1)
    if isinstance(s.get("additionalProperties"), dict):
        facts(doc, s["additionalProperties"], where, f"{path}{{}}", out, descriptions, depth + 1)
    for i, option in enumerate(s.get("oneOf", [])):
        facts(doc, option, where, f"{path}<{i}>", out, descriptions, depth + 1)


def operations(doc, descriptions):
    out = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            where = f"{method.upper()} {path}"
            out.add(f"{where}: exists")
            for p in op.get("parameters", []):
                out.add(f"{where} param {p['in']}:{p['name']}" + (" required" if p.get("required") else ""))
            body = op.get("requestBody", {}).get("content", {})
            for ctype, c in body.items():
                facts(doc, c.get("schema", {}), f"{where} request {ctype}", "$", out, descriptions)
            for status, r in op.get("responses", {}).items():
                out.add(f"{where} {status}")
                for ctype, c in r.get("content", {}).items():
                    facts(doc, c.get("schema", {}), f"{where} {status} {ctype}", "$", out, descriptions)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    descriptions = "--descriptions" in sys.argv
    old, new = (json.load(open(p)) for p in args[:2])
    a, b = operations(old, descriptions), operations(new, descriptions)
    lost, gained = sorted(a - b), sorted(b - a)
    print(f"lost ({len(lost)}):")
    for f in lost:
        print("  -", f)
    print(f"gained ({len(gained)}):")
    for f in gained:
        print("  +", f)


if __name__ == "__main__":
    main()
