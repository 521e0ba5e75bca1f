#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn Documentation/netlink/specs/gpupart.yaml into spec_expect.h: what the
spec says every uapi constant, operation and multicast group must be.
spec_test.c compares that with uapi/linux/gpupart.h and with the family the
kernel registered, so the three cannot drift apart unnoticed."""
import sys

import yaml


def c_name(*parts):
    return "_".join(p for p in parts if p).upper().replace("-", "_")


def main(spec_path, out_path):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    fam = spec["name"]
    consts, ops, groups = [], [], []

    for d in spec.get("definitions", []):
        if d["type"] == "const":
            consts.append((c_name(fam, d["name"]), d["value"]))
        elif d["type"] == "enum":
            val = d.get("value-start", 0)
            prefix = d.get("name-prefix", fam + "-" + d["name"] + "-")
            for e in d["entries"]:
                name = e["name"] if isinstance(e, dict) else e
                consts.append((c_name(prefix + name), val))
                val += 1
            if d.get("render-max"):
                consts.append((c_name(prefix + "max"), val - 1))

    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", fam + "-a-" + aset["name"] + "-")
        val = 1
        for a in aset["attributes"]:
            val = a.get("value", val)
            consts.append((c_name(prefix + a["name"]), val))
            val += 1
        consts.append((c_name(prefix + "max"), val - 1))

    val = 1
    for op in spec["operations"]["list"]:
        val = op.get("value", val)
        consts.append((c_name(fam, "cmd", op["name"]), val))
        # Notifications have a command value but are not registered ops.
        if "do" in op or "dump" in op:
            ops.append((op["name"], val, "do" in op, "dump" in op,
                        "admin-perm" in op.get("flags", [])))
        val += 1
    consts.append((c_name(fam, "cmd-max"), val - 1))

    for g in spec.get("mcast-groups", {}).get("list", []):
        groups.append(g["name"])


    with open(out_path, "w") as out:
        out.write("/* Generated from %s by gen_spec_expect.py: do not edit. */\n"
                  % spec_path.split("/")[-1])
        out.write("#define SPEC_FAMILY_NAME \"%s\"\n\n" % fam)
        out.write("static const struct spec_const spec_consts[] = {\n")
        for name, v in consts:
            out.write("\t{ \"%s\", %d, %s },\n" % (name, v, name))
        out.write("};\n\nstatic const struct spec_op spec_ops[] = {\n")
        for name, v, do, dump, admin in ops:
            out.write("\t{ \"%s\", %d, %d, %d, %d },\n"
                      % (name, v, do, dump, admin))
        out.write("};\n\nstatic const char *const spec_mcgrps[] = {\n")
        for g in groups:
            out.write("\t\"%s\",\n" % g)
        out.write("\tNULL\n};\n")
        # The uapi names each group too.
        out.write("\nstatic const struct spec_str spec_strs[] = {\n")
        out.write("\t{ \"%s_FAMILY_NAME\", \"%s\", %s_FAMILY_NAME },\n"
                  % (c_name(fam), fam, c_name(fam)))
        for g in groups:
            name = "%s_MCGRP_%s" % (c_name(fam), c_name(g))
            out.write("\t{ \"%s\", \"%s\", %s },\n" % (name, g, name))
        out.write("};\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
