#!/usr/bin/env python3
"""Regenerate crates/idguard-core/src/roles/builtin.tsv from a list of Azure
built-in role definitions.

Input: the JSON array that `az role definition list --query
"[?roleType=='BuiltInRole']" -o json` prints (any dump of that shape works:
each element has `name` (the GUID), `roleName` and `permissions`, a list of
blocks with `actions`, `notActions` and `dataActions`).

    python3 scripts/roles-table.py roles.json --in-place \
        --source "az role definition list (az 2.x), $(date -u +%F)"

(without --in-place the table is printed to standard output).

The flags are derived from the actions (see docs/roles.md):
  wildcard_actions  a block's actions contain the bare "*"
  grants_access     some block's actions match
                    Microsoft.Authorization/roleAssignments/write and that
                    block's notActions do not remove it (an ABAC condition
                    on the block does not clear the flag)
  data_plane        some block has a dataAction
  identity_attach   some block's actions name the Microsoft.ManagedIdentity
                    provider (not through "*" alone) and match
                    userAssignedIdentities/<x>/assign/action, …/write or
                    …/federatedIdentityCredentials/write
  privileged        Microsoft's "Privileged" category (the dump does not
                    carry categories, so the list is kept here)
Former display names are kept from the existing table (read from --previous,
by default the checked-in builtin.tsv), so `by_name` still finds them.
"""

import argparse
import datetime
import io
import json
import re
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "crates/idguard-core/src/roles/builtin.tsv"

# Microsoft's "Privileged" category of built-in roles (by GUID).
PRIVILEGED = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",  # Owner
    "b24988ac-6180-42a0-ab88-20f7382dd24c",  # Contributor
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",  # User Access Administrator
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",  # Role Based Access Control Administrator
    "a8889054-8d42-49c9-bc1c-52486c10e7cd",  # Reservations Administrator
}

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

ROLE_ASSIGNMENT_WRITE = "microsoft.authorization/roleassignments/write"
IDENTITY_OPERATIONS = (
    "microsoft.managedidentity/userassignedidentities/x/assign/action",
    "microsoft.managedidentity/userassignedidentities/assign/action",
    "microsoft.managedidentity/userassignedidentities/write",
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials/write",
)


def matches(pattern: str, operation: str) -> bool:
    """Azure RBAC action matching: case-insensitive, `*` stands for any run
    of characters (including `/`)."""
    parts = [re.escape(p) for p in pattern.lower().split("*")]
    return re.fullmatch(".*".join(parts), operation.lower()) is not None


def allowed(block: dict, operation: str, explicit_prefix: str | None = None) -> bool:
    actions = block.get("actions") or []
    not_actions = block.get("notActions") or []
    granted = any(
        matches(a, operation)
        and (explicit_prefix is None or a.lower().startswith(explicit_prefix))
        for a in actions
    )
    return granted and not any(matches(n, operation) for n in not_actions)


def flags(role: dict) -> list[str]:
    blocks = role.get("permissions") or []
    out = []
    if role["name"].lower() in PRIVILEGED:
        out.append("privileged")
    if any(allowed(b, ROLE_ASSIGNMENT_WRITE) for b in blocks):
        out.append("grants_access")
    if any(b.get("dataActions") for b in blocks):
        out.append("data_plane")
    if any(
        allowed(b, op, "microsoft.managedidentity/")
        for b in blocks
        for op in IDENTITY_OPERATIONS
    ):
        out.append("identity_attach")
    if any("*" in (b.get("actions") or []) for b in blocks):
        out.append("wildcard_actions")
    return out


def previous_rows(path: Path) -> dict[str, list[str]]:
    """The roles of the existing table, by GUID: [guid, name, flags, (former names)]."""
    rows = {}
    if not path.exists():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) in (3, 4):
            rows[cols[0]] = cols
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", help="JSON array of role definitions")
    parser.add_argument("--source", required=True, help="where the dump came from")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    parser.add_argument("--previous", default=str(TABLE), help="table to keep former names from")
    parser.add_argument("--in-place", action="store_true", help="overwrite --previous")
    args = parser.parse_args()

    roles = json.loads(Path(args.dump).read_text(encoding="utf-8"))
    previous = previous_rows(Path(args.previous))
    former = {g: c[3].split(";") for g, c in previous.items() if len(c) == 4}
    rows = []
    for role in roles:
        if role.get("roleType", "BuiltInRole") != "BuiltInRole":
            continue
        guid = role["name"].lower()
        name = " ".join(role["roleName"].split())
        if not GUID.match(guid) or not name:
            print(f"skipped malformed role {role.get('name')!r}", file=sys.stderr)
            continue
        names = [n for n in former.get(guid, []) if n.lower() != name.lower()]
        rows.append((name.lower(), guid, name, ",".join(flags(role)) or "-", names))
    # Roles of the previous table that the dump lacks are kept as they were:
    # `az role definition list` at a subscription does not list roles that are
    # assignable only at the tenant (Reservations, Service Groups), and a
    # template may still name a retired role.
    seen = {r[1] for r in rows}
    kept = [c for g, c in previous.items() if g not in seen]
    for cols in kept:
        names = cols[3].split(";") if len(cols) == 4 else []
        rows.append((cols[1].lower(), cols[0], cols[1], cols[2], names))
        print(f"kept from the previous table: {cols[1]} ({cols[0]})", file=sys.stderr)
    rows.sort()

    out = io.StringIO()
    out.write(
        HEADER.format(source=args.source, date=args.date, count=len(rows), kept=len(kept))
    )
    for _, guid, name, fl, names in rows:
        line = f"{guid}\t{name}\t{fl}"
        if names:
            line += "\t" + ";".join(names)
        out.write(line + "\n")
    if args.in_place:
        Path(args.previous).write_text(out.getvalue(), encoding="utf-8")
    else:
        sys.stdout.write(out.getvalue())
    return 0


HEADER = """\
# Azure built-in role definitions (Azure RBAC) that idguard knows by GUID.
#
# GENERATED by scripts/roles-table.py; do not edit by hand (see docs/roles.md,
# "Refreshing the table").
# Source: {source}
# Date: {date}. Roles: {count}, of which {kept} kept from the previous table
# because the source does not list them (tenant-only or retired roles).
#
# Format: one role a line, three or four TAB-separated columns:
#   id        role definition GUID, lowercase, 8-4-4-4-12 hex
#   name      exact display name (roleName) as Azure reports it (runs of
#             spaces collapsed, ends trimmed)
#   flags     comma-separated subset of the flags below, or "-" for none
#   aliases   optional: former display names, separated by ";"
# Lines starting with "#" and blank lines are ignored. The unit tests in
# mod.rs fail if any other line does not parse, so a bad edit cannot slip in.
#
# Flags (derived from each role's permissions; docs/roles.md says what they
# mean to the rules):
#   privileged        in Microsoft's "Privileged" category of built-in roles
#   grants_access     actions include Microsoft.Authorization/roleAssignments/write
#                     (directly or through a wildcard) that notActions do not
#                     remove, even when an ABAC condition narrows which roles
#                     it may assign
#   data_plane        the role has at least one dataAction
#   identity_attach   Microsoft.ManagedIdentity actions that assign (attach)
#                     or write user-assigned identities or their federated
#                     credentials
#   wildcard_actions  actions contain the bare "*"
#
# Sorted by name.

"""

if __name__ == "__main__":
    sys.exit(main())
