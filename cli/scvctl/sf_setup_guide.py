"""The README.md written next to the metadata bundle: how to deploy it, and every Salesforce step by hand.

Some orgs cannot deploy metadata (no Salesforce CLI, no permission), and many already have the
"Connected App for RestAPI OAuth" that the partner telephony contact center created. So the README
gives three ways, each ending with ``scvctl consumer-key set`` and ``scvctl check``: deploy the
bundle, create the External Client App in Setup, or update the existing connected app as the setup
guide does. Japanese Setup labels are given next to the English ones, as in the guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scv_seeder.credentials import CertificateInfo

from scvctl.sf_metadata import CALLBACK_URL, AppSpec

#: the setup guide's callback URL of the existing connected app (way C), left as the guide has it
GUIDE_CALLBACK_URL = "http://localhost:1717/OauthRedirect"

if TYPE_CHECKING:  # pragma: no cover
    from scvctl.config import ContactCenter


def setup_readme(spec: AppSpec, contact_center: ContactCenter, info: CertificateInfo) -> str:
    cc = contact_center.name
    preauthorized = ", ".join(
        [*(f"profile {p}" for p in spec.profiles), *(f"permission set {p}" for p in spec.permission_sets)]
    )
    policy_step = (
        f"The bundle already pre-authorizes {preauthorized}; check that the integration user "
        f"`{contact_center.username}` has it (a permission set must also be assigned to the user)."
        if preauthorized
        else (
            "Pre-authorize the integration user: Setup > External Client App Manager > "
            f"**{spec.label}** > **Policies** > **Edit** > OAuth Policies > Plugin Policies: Permitted Users = "
            "**Admin approved users are pre-authorized** (管理者が承認したユーザーは事前承認済み); "
            f"under **Select Profiles** add the profile of `{contact_center.username}` (the guide recommends "
            "including **System Administrator**) and/or "
            "under **Select Permission Sets** a permission set assigned to that user; **Save**. (Or run "
            f'`scvctl salesforce-metadata {cc} --out DIR --preauthorize-profile "System Administrator"` '
            "[`--preauthorize-permission-set NAME`] and deploy again.)"
        )
    )
    return f"""# External Client App for contact center `{cc}`

Lets `{contact_center.function_name}` call the Salesforce REST API of {contact_center.salesforce_url}
with the OAuth 2.0 JWT bearer flow, signed with the key in Secrets Manager (`{cc}-salesforce-secret`).

| | |
| --- | --- |
| App API name / label | `{spec.name}` / {spec.label} |
| Integration user (JWT subject) | `{contact_center.username}` |
| JWT audience | `{contact_center.jwt_audience}` |
| Certificate | CN `{info.common_name}`, SHA-256 `{info.fingerprint_sha256}`, expires {info.not_after} |
| Callback URL | `{CALLBACK_URL}` |
| OAuth scopes | `api` (the JWT bearer flow issues no refresh token) |

Nothing here is secret: the certificate is public, and Salesforce creates the consumer key when the app is
created. Choose **one** of the three ways below.

## A. Deploy this bundle with the Salesforce CLI

1. Replace `contactEmail` in `force-app/main/default/externalClientApps/{spec.name}.eca-meta.xml`
   (it is `{spec.contact_email}`).
2. Sign in and deploy (this directory is an SFDX project):

   ```bash
   sf org login web --alias {cc}-org --instance-url {contact_center.salesforce_url}
   cd <this directory>
   sf project deploy start --source-dir force-app --target-org {cc}-org
   ```

   (`sf project deploy start --manifest package.xml --target-org {cc}-org` deploys the same four components.)
   If the deploy is refused for `ExtlClntAppGlobalOauthSettings`, the deploying user needs the user permission
   **View External Client Apps Consumer Secrets in Metadata** (in a permission set assigned to that user).
   Orgs that still have the org setting Setup > External Client App Settings > **Allow access to External Client
   App consumer secrets via REST API** can use it instead, but Salesforce marks that setting deprecated.
   Deploy again once either is in place.
3. {policy_step}
4. Copy the consumer key: Setup > External Client App Manager > **{spec.label}** > **Settings** > OAuth Settings >
   **Consumer Key and Secret** (a verification code is emailed to you) > copy **Consumer Key** (the secret is not
   needed). Or read back the one Salesforce generated, with the permission of step 2:

   ```bash
   sf project retrieve start -m ExtlClntAppGlobalOauthSettings:{spec.name}_glbloauth --target-org {cc}-org
   # consumerKey in force-app/main/default/extlClntAppGlobalOauthSets/{spec.name}_glbloauth.ecaGlblOauth-meta.xml
   ```

   Then store it (paste it at the hidden prompt):

   ```bash
   scvctl consumer-key set {cc}
   ```

5. Salesforce can take up to 10 minutes to apply a new app. Then: `scvctl check {cc}`.

**Deploying again to an app that exists:** a metadata deploy replaces whole records, so it would overwrite what
was changed in Setup since (policies, pre-authorized profiles, the certificate). Deploy only the folder you
changed, e.g. `sf project deploy start --source-dir force-app/main/default/extlClntAppOauthPolicies --target-org
{cc}-org` for the policies, or first `sf project retrieve start --source-dir force-app --target-org {cc}-org` and
edit what was retrieved.

## B. Create the External Client App in Setup

Creating new connected apps is restricted since Spring '26; External Client Apps replace them.

1. `scvctl cert export {cc} --out server.crt`
2. Setup > Quick Find **External Client App Manager** > **New External Client App**.
3. Basic Information: External Client App Name **{spec.label}**, API Name **{spec.name}**, Contact Email (yours),
   Distribution State **Local**.
4. API (Enable OAuth Settings): check **Enable OAuth**.
   - Callback URL: `{CALLBACK_URL}`
   - OAuth Scopes: **Manage user data via APIs (api)** only
   - Flow Enablement: check **Enable JWT Bearer Flow** and upload `server.crt`
   - Security: keep **Require secret for Web Server Flow**, **Require secret for Refresh Token Flow** and
     **Require Proof Key for Code Exchange (PKCE)** checked (the JWT bearer flow needs none of them unchecked;
     unchecked, the app is a public client anyone with the consumer key can use)
5. **Create**.
6. **Policies** > **Edit** > OAuth Policies: Permitted Users = **Admin approved users are pre-authorized**; select
   the profile of `{contact_center.username}` (include **System Administrator**, as the guide recommends) and/or a
   permission set assigned to that user; **Save**.
7. **Settings** > OAuth Settings > **Consumer Key and Secret** > verify > copy **Consumer Key**, then
   `scvctl consumer-key set {cc}`.
8. After up to 10 minutes: `scvctl check {cc}`.

## C. Use the existing "Connected App for RestAPI OAuth" (the setup guide's way)

The partner telephony contact center created this connected app.

1. `scvctl cert export {cc} --out server.crt`
2. Setup > **Apps** > **App Manager** (アプリケーションマネージャー): find the connected app whose name contains
   **Connected App for RestAPI OAuth**, open **▼** > **Edit** (編集).
3. **Callback URL** contains `{GUIDE_CALLBACK_URL}` (add it if not).
4. Check **Use digital signatures** (デジタル署名を使用) and upload `server.crt`.
5. **Selected OAuth Scopes** (選択した OAuth 範囲) include **Manage user data via APIs (api)** and **Perform
   requests at any time (refresh_token, offline_access)**.
6. **Save** (保存), then **Continue** (次へ) at the notice that changes take up to 10 minutes.
7. **Manage** > **Edit Policies**: Permitted Users (許可されているユーザー) =
   **Admin approved users are pre-authorized** (管理者が承認したユーザーは事前承認済み); **Save**.
   **Profiles** > **Manage Profiles** (プロファイルを管理する): select **System Administrator** (システム管理者)
   and the profile of `{contact_center.username}`; **Save**.
8. In the app's **API (Enable OAuth Settings)** section, **Manage Consumer Details** (コンシューマーの詳細を管理) >
   enter the emailed verification code > copy **Consumer Key** (the consumer secret is not needed), then
   `scvctl consumer-key set {cc}`.
9. After up to 10 minutes: `scvctl check {cc}`.

## When the certificate changes

`scvctl cert renew {cc}` (same key) and `scvctl key rotate {cc}` (new key) print the certificate to upload in
place of the current one: in the External Client App under Settings > OAuth Settings > Enable JWT Bearer Flow,
or in the connected app under Use digital signatures.
"""
