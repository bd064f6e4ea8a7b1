"""Parses Prometheus text with an independent parser (Debian's python3-prometheus-client) and
prints every sample as JSON lines: {"family", "type", "name", "labels", "value"}. Exits 1 when the
text does not parse. Run with /usr/bin/python3 (Debian's interpreter has the package)."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = open(sys.argv[1], encoding="utf-8").read()
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                value = s.value
                if math.isinf(value) or math.isnan(value):
                    value = str(value)
                print(json.dumps({"family": family.name, "type": family.type, "name": s.name,
                                  "labels": s.labels, "value": value}))
    except Exception as e:  # the parser raises ValueError and friends on malformed text
        print(f"parse error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
