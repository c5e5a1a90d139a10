"""Gen3's own validators on the files the app renders: `gen3users validate` on every user.yaml and
`gen3utils validate-manifest` on every manifest.json under $GEN3_CSOC_RENDERED; both must pass.

The validators live in their own venv (see requirements-validators.txt); run.sh sets GEN3USERS_BIN
and GEN3UTILS_BIN to them. The self-checks below prove they run and reject broken files, using
Gen3's reference files when ../shared/gen3-reference is present.
"""

import json
import os
import shutil
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(os.path.dirname(REPO), "shared", "gen3-reference")
RENDERED = os.environ.get("GEN3_CSOC_RENDERED")


def _tool(env, name):
    path = os.environ.get(env) or shutil.which(name)
    if not path or not os.path.exists(path):
        pytest.fail(f"{name} not found: set {env} or run tests/conformance/run.sh, which installs it")
    return path


def _run(env, name, *args):
    proc = subprocess.run([_tool(env, name), *args], capture_output=True, text=True, timeout=120)
    # Both tools log to stdout and raise (exit 1) with a traceback on stderr.
    return proc.returncode, proc.stdout + proc.stderr


def gen3users(path):
    return _run("GEN3USERS_BIN", "gen3users", "validate", path)


def gen3utils(path):
    return _run("GEN3UTILS_BIN", "gen3utils", "validate-manifest", path)


def _is_user_yaml(name):
    return name == "user.yaml" or name.endswith(("_user.yaml", "-user.yaml"))


def _rendered(match):
    found = []
    for folder, _, files in os.walk(RENDERED):
        found += [os.path.join(folder, f) for f in sorted(files) if match(f)]
    return sorted(found)


def _params(match):
    if not RENDERED:
        reason = "GEN3_CSOC_RENDERED is not set: no rendered files to validate"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="unset")]
    return [pytest.param(p, id=os.path.relpath(p, RENDERED)) for p in _rendered(match)]


def test_rendered_folder_has_files():
    if not RENDERED:
        pytest.skip("GEN3_CSOC_RENDERED is not set: no rendered files to validate")
    assert os.path.isdir(RENDERED), f"GEN3_CSOC_RENDERED={RENDERED} is not a folder"
    found = _rendered(_is_user_yaml) + _rendered(lambda f: f == "manifest.json")
    assert found, f"no user.yaml or manifest.json under {RENDERED}"


@pytest.mark.parametrize("path", _params(_is_user_yaml))
def test_rendered_user_yaml_passes_gen3users(path):
    rc, log = gen3users(path)
    assert rc == 0, f"gen3users validate {path} failed:\n{log}"


@pytest.mark.parametrize("path", _params(lambda f: f == "manifest.json"))
def test_rendered_manifest_passes_gen3utils(path):
    rc, log = gen3utils(path)
    assert rc == 0, f"gen3utils validate-manifest {path} failed:\n{log}"


def _reference(*parts):
    path = os.path.join(REFERENCE, *parts)
    if not os.path.exists(path):
        pytest.skip(f"the Gen3 reference files are not at {REFERENCE} (CI has them)")
    return path


def test_validators_accept_gen3_reference_files():
    rc, log = gen3users(_reference("fence", "base_user.yaml"))
    assert rc == 0, log
    for name in ("releases-2025-09-manifest.json", "login.bionimbus.org-manifest.json", "dataguids.org-manifest.json"):
        rc, log = gen3utils(_reference("cdis-manifest", name))
        assert rc == 0, f"{name}: {log}"


def test_validators_reject_broken_files(tmp_path):
    user_yaml = tmp_path / "user.yaml"
    user_yaml.write_text(
        "authz:\n"
        "  resources: [{name: open}]\n"
        "  policies:\n"
        "  - {id: open_data_reader, role_ids: [reader], resource_paths: [/nonexistent]}\n"
        "  roles:\n"
        "  - {id: reader, permissions: [{id: r, action: {service: peregrine, method: read}}]}\n"
    )
    rc, log = gen3users(str(user_yaml))
    assert rc != 0 and 'Resource "/nonexistent" in policy "open_data_reader"' in log, log

    manifest = tmp_path / "manifest.json"
    # sower needs a sower block of job specs
    manifest.write_text(json.dumps({"versions": {"sower": "quay.io/cdis/sower:2.0.0"}, "global": {}}))
    rc, log = gen3utils(str(manifest))
    assert rc != 0 and "sower block is missing" in log, log
