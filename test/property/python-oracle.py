# The oracle for the INI and literal differential tests: Python 3.11's own configparser and
# ast.literal_eval. Reads JSON lines {"ini": text} or {"literal": text}; writes one JSON line
# each, values tagged so that int/float/str survive JSON.
import ast, configparser, json, os, sys, tempfile

def tag(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": repr(v)}
    if isinstance(v, (list, tuple)):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise TypeError("non-string key")
        return {"d": [[k, tag(x)] for k, x in v.items()]}
    raise TypeError(type(v).__name__)

tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "settings.ini")
for line in sys.stdin:
    case = json.loads(line)
    if "ini" in case:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(case["ini"])
        cp = configparser.RawConfigParser()
        try:
            cp.read(path, encoding="utf-8")
        except configparser.Error as e:
            print(json.dumps({"error": type(e).__name__}))
            continue
        out = {"defaults": [[k, v] for k, v in cp._defaults.items()]}
        out["sections"] = [[s, [[k, v] for k, v in cp._sections[s].items()]] for s in cp.sections()]
        print(json.dumps(out))
    else:
        try:
            print(json.dumps({"value": tag(ast.literal_eval(case["literal"]))}))
        except Exception as e:
            print(json.dumps({"error": type(e).__name__}))
