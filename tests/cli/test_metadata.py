"""scvctl salesforce-metadata: the External Client App bundle parses, carries the certificate, and says
how to deploy it and what to do by hand."""

# ruff: noqa: S314 - parses the files scvctl itself just wrote
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from scvctl.errors import CliError
from scvctl.sf_metadata import AppSpec, bundle_files, default_app_name, deploy_api_version

from tests.cli.conftest import CC, KEYS, RunCli, Secrets

NS = "{http://soap.sforce.com/2006/04/metadata}"
SOURCE = "force-app/main/default"
NAME = "testcc_RestAPI"
EXPECTED = {
    f"{SOURCE}/externalClientApps/{NAME}.eca-meta.xml": "ExternalClientApplication",
    f"{SOURCE}/extlClntAppOauthSettings/{NAME}_oauth.ecaOauth-meta.xml": "ExtlClntAppOauthSettings",
    f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml": "ExtlClntAppGlobalOauthSettings",
    f"{SOURCE}/extlClntAppOauthPolicies/{NAME}_oauthPlcy.ecaOauthPlcy-meta.xml": "ExtlClntAppOauthConfigurablePolicies",
}


def fields(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    return {child.tag.removeprefix(NS): child.text or "" for child in root}


@pytest.fixture
def bundle(run_cli: RunCli, cc_secrets: Any, tmp_path: Path) -> Path:
    out = tmp_path / "sf-app"
    result = run_cli("salesforce-metadata", CC, "--out", str(out))
    assert result.code == 0, result.err
    return out


def test_every_file_parses_with_its_metadata_type(bundle: Path) -> None:
    for relative, root_tag in EXPECTED.items():
        root = ET.parse(bundle / relative).getroot()
        assert root.tag == f"{NS}{root_tag}"
        assert (bundle / relative).read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n')


def test_the_app_and_its_oauth_settings(bundle: Path) -> None:
    app = fields(bundle / f"{SOURCE}/externalClientApps/{NAME}.eca-meta.xml")
    oauth = fields(bundle / f"{SOURCE}/extlClntAppOauthSettings/{NAME}_oauth.ecaOauth-meta.xml")
    policies = fields(bundle / f"{SOURCE}/extlClntAppOauthPolicies/{NAME}_oauthPlcy.ecaOauthPlcy-meta.xml")

    assert app == {
        "contactEmail": "change-me@example.com",
        "description": app["description"],
        "distributionState": "Local",
        "isProtected": "false",
        "label": "testcc Salesforce REST API",
    }
    assert "testcc-InvokeSalesforceRestApiFunction" in app["description"]
    assert oauth == {
        "commaSeparatedOauthScopes": "Api",  # the JWT bearer flow issues no refresh token
        "externalClientApplication": NAME,
        "label": "testcc Salesforce REST API OAuth settings",
    }
    assert policies["permittedUsersPolicyType"] == "AdminApprovedPreAuthorized"
    assert policies["externalClientApplication"] == NAME
    assert "commaSeparatedProfile" not in policies


def test_the_global_settings_carry_the_current_certificate(bundle: Path, secrets: Secrets) -> None:
    settings = fields(bundle / f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml")

    assert settings["certificate"] == secrets.current()[KEYS.certificate].strip()
    assert settings["externalClientApplication"] == NAME
    assert "consumerKey" not in settings and "consumerSecret" not in settings


def test_the_app_is_no_public_oauth_client(bundle: Path) -> None:
    """The JWT bearer flow needs none of a public client's settings: the secret is required, PKCE is required,
    and the callback is Salesforce's own page, not a port on a user's machine."""
    settings = fields(bundle / f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml")
    assert settings["isConsumerSecretOptional"] == "false"
    assert settings["isPkceRequired"] == "true"
    assert settings["isSecretRequiredForRefreshToken"] == "true"
    assert settings["callbackUrl"].startswith("https://") and "localhost" not in settings["callbackUrl"]
    assert "consumerKey" not in settings and "consumerSecret" not in settings


def test_the_manifest_and_project(bundle: Path) -> None:
    package = ET.parse(bundle / "package.xml").getroot()
    members = {types.findtext(f"{NS}name"): types.findtext(f"{NS}members") for types in package.findall(f"{NS}types")}
    assert members == {
        "ExternalClientApplication": NAME,
        "ExtlClntAppOauthSettings": f"{NAME}_oauth",
        "ExtlClntAppGlobalOauthSettings": f"{NAME}_glbloauth",
        "ExtlClntAppOauthConfigurablePolicies": f"{NAME}_oauthPlcy",
    }
    assert package.findtext(f"{NS}version") == "68.0"
    project = json.loads((bundle / "sfdx-project.json").read_text())
    assert project["packageDirectories"] == [{"path": "force-app", "default": True}]
    assert project["sourceApiVersion"] == "68.0"


def test_the_readme_gives_the_deploy_command_and_the_manual_steps(bundle: Path) -> None:
    readme = (bundle / "README.md").read_text()

    assert "sf project deploy start --source-dir force-app --target-org testcc-org" in readme
    assert f"scvctl consumer-key set {CC}" in readme
    assert f"scvctl check {CC}" in readme
    assert "Admin approved users are pre-authorized" in readme
    assert "System Administrator" in readme
    assert "Connected App for RestAPI OAuth" in readme
    assert "Use digital signatures" in readme and "デジタル署名を使用" in readme
    assert "Manage Consumer Details" in readme
    assert "http://localhost:1717/OauthRedirect" in readme
    assert "refresh_token, offline_access" in readme
    assert "Spring '26" in readme
    assert "PRIVATE KEY" not in readme


def test_the_readme_covers_consumer_secret_access_reruns_and_reading_the_key_back(bundle: Path) -> None:
    readme = (bundle / "README.md").read_text()

    assert "user permission\n   **View External Client Apps Consumer Secrets in Metadata**" in readme
    assert "Salesforce marks that setting deprecated" in readme
    assert "a metadata deploy replaces whole records" in readme
    assert "--source-dir force-app/main/default/extlClntAppOauthPolicies" in readme
    assert f"sf project retrieve start -m ExtlClntAppGlobalOauthSettings:{NAME}_glbloauth --target-org testcc-org" in (
        readme
    )
    assert Path(f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml").as_posix() in readme
    assert (bundle / SOURCE / "extlClntAppGlobalOauthSets" / f"{NAME}_glbloauth.ecaGlblOauth-meta.xml").exists()


def test_preauthorized_profiles_and_permission_sets(run_cli: RunCli, cc_secrets: Any, tmp_path: Path) -> None:
    out = tmp_path / "sf"
    result = run_cli(
        "salesforce-metadata", CC, "--out", str(out), "--name", "Acme_SCV", "--label", "Acme & <SCV>",
        "--preauthorize-profile", "System Administrator", "--preauthorize-profile", "SCV Integration",
        "--preauthorize-permission-set", "SCV_RestApi_Access", "--contact-email", "admin@acme.example",
    )  # fmt: skip

    assert result.code == 0, result.err
    policies = fields(out / f"{SOURCE}/extlClntAppOauthPolicies/Acme_SCV_oauthPlcy.ecaOauthPlcy-meta.xml")
    assert policies["commaSeparatedProfile"] == "System Administrator,SCV Integration"
    assert policies["commaSeparatedPermissionSet"] == "SCV_RestApi_Access"
    app_file = out / f"{SOURCE}/externalClientApps/Acme_SCV.eca-meta.xml"
    assert fields(app_file)["label"] == "Acme & <SCV>"  # escaped in the file, intact when parsed
    assert "Acme &amp; &lt;SCV&gt;" in app_file.read_text()
    assert fields(app_file)["contactEmail"] == "admin@acme.example"
    assert "already pre-authorizes profile System Administrator" in (out / "README.md").read_text()


def test_pending_certificate(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, tmp_path: Path) -> None:
    assert run_cli("salesforce-metadata", CC, "--out", str(tmp_path / "a"), "--pending").code == 1
    run_cli("key", "rotate", CC)
    pending = secrets.pending()
    assert pending is not None

    assert run_cli("salesforce-metadata", CC, "--out", str(tmp_path / "b"), "--pending").code == 0

    settings = fields(tmp_path / "b" / f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml")
    assert settings["certificate"] == pending[KEYS.certificate].strip()


def test_a_certificate_file_needs_no_aws(
    run_cli: RunCli, rsa_key_pair: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user can write the bundle before any stack exists: no credentials, no reachable endpoint."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9")
    certificate = tmp_path / "server.crt"
    certificate.write_text("Certificate:\n    Data: (openssl x509 -text)\n" + rsa_key_pair.certificate_pem)

    result = run_cli("salesforce-metadata", CC, "--out", str(tmp_path / "sf"), "--certificate", str(certificate))

    assert result.code == 0, result.err
    settings = fields(tmp_path / "sf" / f"{SOURCE}/extlClntAppGlobalOauthSets/{NAME}_glbloauth.ecaGlblOauth-meta.xml")
    assert settings["certificate"] == rsa_key_pair.certificate_pem.strip()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "certificate file {path}: no such file"),
        ("not a certificate", "not a PEM X.509 certificate"),
    ],
)
def test_a_bad_certificate_file_writes_nothing(
    run_cli: RunCli, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "server.crt"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "sf"

    result = run_cli("salesforce-metadata", CC, "--out", str(out), "--certificate", str(path))

    assert result.code == 1
    assert message.format(path=path) in result.err
    assert not out.exists()


def test_certificate_and_pending_exclude_each_other(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("salesforce-metadata", CC, "--out", str(tmp_path), "--pending", "--certificate", "x.crt")
    assert result.code == 2
    assert "not allowed with argument" in result.err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--name", "1bad"], "is not a Salesforce API name"),
        (["--name", "two__underscores"], "is not a Salesforce API name"),
        (["--name", "trailing_"], "is not a Salesforce API name"),
        (["--name", "App\n"], "is not a Salesforce API name"),
        (["--name", "App\r"], "is not a Salesforce API name"),
        (["--name", "App\x00"], "is not a Salesforce API name"),
        (["--contact-email", "nobody"], "is not an email address"),
        (["--preauthorize-profile", "a,b"], "contain no comma"),
    ],
)
def test_bad_options(run_cli: RunCli, cc_secrets: Any, tmp_path: Path, option: list[str], message: str) -> None:
    out = tmp_path / "sf"

    result = run_cli("salesforce-metadata", CC, "--out", str(out), *option)

    assert result.code == 1
    assert message in result.err
    assert not out.exists()


def test_out_must_be_a_directory(run_cli: RunCli, cc_secrets: Any, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")

    assert "is a file" in run_cli("salesforce-metadata", CC, "--out", str(tmp_path / "file")).err


def test_names_and_versions() -> None:
    assert default_app_name("example-cc") == "example_cc_RestAPI"
    assert default_app_name("a--b__c") == "a_b_c_RestAPI"
    assert len(default_app_name("x" * 32)) <= 40
    assert deploy_api_version("68.0") == "68.0"
    assert deploy_api_version("58.0") == "60.0"  # the certificate field needs 60.0
    with pytest.raises(CliError):
        AppSpec("ok_name", "l", "d", "a@b.c", "pem", "68.0", profiles=("",))


def test_every_value_is_escaped() -> None:
    spec = AppSpec("App", "<&>\"'", "]]> <!-- -->", "a@b.c", "-----BEGIN CERTIFICATE-----\nA&<\n", "68.0")

    for relative, content in bundle_files(spec).items():
        if relative.endswith(".xml"):
            root = ET.fromstring(content.encode())
            texts = {child.tag.removeprefix(NS): child.text for child in root}
            if "label" in texts and relative.endswith(".eca-meta.xml"):
                assert texts["label"] == "<&>\"'"
                assert texts["description"] == "]]> <!-- -->"
