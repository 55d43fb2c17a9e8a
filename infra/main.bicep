// Behörighetsportal on Azure: the Functions app (Flex Consumption, .NET 10 isolated) and everything it needs.
// Deploy into a resource group; see infra/README.md. Every setting the code reads (docs/API.md) is set in
// `appSettings` below, and tests/Behorighetsportal.Tests/Infra checks that the two lists agree.
targetScope = 'resourceGroup'

@description('Short name of the environment, lowercase letters and digits (e.g. test, prod). Part of every resource name.')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Azure region for the app, storage, Key Vault and monitoring.')
param location string = resourceGroup().location

@description('Where Communication Services keeps email data at rest.')
@allowed(['Europe', 'Sweden', 'Norway', 'Switzerland', 'UK', 'United States'])
param emailDataLocation string = 'Europe'

@description('Application (client) id of the Entra app registration people sign in with (App Service Authentication).')
param authClientId string

@description('Claim in the sign-in token that holds the HSA-id (Auth:HsaIdClaim).')
param hsaIdClaim string = 'hsa_id'

@description('Application (client) id of the Entra app registration the SMTP relay signs in as.')
param smtpClientId string

@description('Object id of the service principal of that app registration (it gets the SMTP send role).')
param smtpPrincipalId string

@description('Client secret of the SMTP app registration. Stored in Key Vault as smtp-password; leave empty on later deployments to keep the stored one.')
@secure()
param smtpClientSecret string = ''

@description('Key for email link tokens, at least 32 characters. Stored in Key Vault as links-signing-key; leave empty on later deployments to keep the stored one.')
@secure()
param linksSigningKey string = ''

@description('Earlier link signing keys still accepted (comma-separated), during a rotation (infra/README.md). Stored in Key Vault as links-previous-signing-keys; leave empty to keep the stored one.')
@secure()
param linksPreviousSigningKeys string = ''

@description('Key KiV sends in x-functions-key; it opens only the KiV import routes. Stored in Key Vault as kiv-integration-key; set the same value as the function key "kiv" (infra/README.md). Empty keeps the stored one.')
@secure()
param kivIntegrationKey string = ''

@description('Key Marknadsplatsen sends in x-functions-key; it opens only the attestation route. Stored in Key Vault as marknadsplatsen-integration-key; set the same value as the function key "marknadsplatsen" (infra/README.md). Empty keeps the stored one.')
@secure()
param marknadsplatsenIntegrationKey string = ''

@description('Absolute base of links in emails; empty means the Function App\'s own https address.')
param portalBaseUrl string = ''

@description('Sender address; empty means DoNotReply at the Azure-managed email domain.')
param emailFrom string = ''

@description('Workflow:ApprovalReminderAfter (d.hh:mm:ss).')
param approvalReminderAfter string = '3.00:00:00'

@description('Workflow:ApprovalExpiresAfter (d.hh:mm:ss).')
param approvalExpiresAfter string = '14.00:00:00'

@description('Workflow:AttestationExpiresAfter (d.hh:mm:ss).')
param attestationExpiresAfter string = '30.00:00:00'

@description('Delegations:MaxPeriodDays: the longest period a delegation may cover.')
@minValue(1)
@maxValue(3660)
param delegationMaxPeriodDays int = 366

@description('Policies:Administrators: who administers assignment policies, per administration, e.g. { SU: \'SE2321000131-E000000000001,SE2321000131-E000000000002\' }.')
param policyAdministrators object = {}

@description('Most instances Flex Consumption may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Daily cap on data sent to Log Analytics, in GB (cost guard); -1 for none.')
param logDailyCapGb int = 1

var suffix = uniqueString(resourceGroup().id, environmentName)
var env = toLower(environmentName)
var tags = {
  application: 'behorighetsportal'
  environment: env
}
var appName = 'func-behorighet-${env}-${suffix}'
var storageName = take('stbp${env}${suffix}', 24)
var vaultName = take('kv-bp-${env}-${suffix}', 24)
var deploymentContainer = 'app-package'
var vaultUri = 'https://${vaultName}${environment().suffixes.keyvaultDns}'
var secretNames = {
  signingKey: 'links-signing-key'
  previousSigningKeys: 'links-previous-signing-keys'
  smtpPassword: 'smtp-password'
  kivKey: 'kiv-integration-key'
  marknadsplatsenKey: 'marknadsplatsen-integration-key'
}

// Built-in roles, least privilege for what each identity does.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Functions host: leases, keys, deployment package
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // durable task hub and product queues
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // durable history and product tables
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // read secrets for Key Vault references
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // send telemetry with Entra auth
}

// ---------------------------------------------------------------- storage: AzureWebJobsStorage and the task hub

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: storageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // managed identity only: no keys anywhere
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: deploymentContainer
}

// ---------------------------------------------------------------- monitoring

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-behorighet-${env}-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    workspaceCapping: { dailyQuotaGb: logDailyCapGb }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-behorighet-${env}-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true // telemetry only with Entra auth (the app's managed identity)
  }
}

// ---------------------------------------------------------------- Key Vault: signing keys, SMTP secret, system keys

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource signingKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(linksSigningKey)) {
  parent: vault
  name: secretNames.signingKey
  properties: { value: linksSigningKey, contentType: 'text/plain' }
}

// Until a rotation writes it, the secret does not exist and the reference stays unresolved: the app then accepts no
// previous key (it never takes the reference's text for one).
resource previousSigningKeysSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(linksPreviousSigningKeys)) {
  parent: vault
  name: secretNames.previousSigningKeys
  properties: { value: linksPreviousSigningKeys, contentType: 'text/plain' }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(smtpClientSecret)) {
  parent: vault
  name: secretNames.smtpPassword
  properties: { value: smtpClientSecret, contentType: 'text/plain' }
}

resource kivKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(kivIntegrationKey)) {
  parent: vault
  name: secretNames.kivKey
  properties: { value: kivIntegrationKey, contentType: 'text/plain' }
}

resource marknadsplatsenKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(marknadsplatsenIntegrationKey)) {
  parent: vault
  name: secretNames.marknadsplatsenKey
  properties: { value: marknadsplatsenIntegrationKey, contentType: 'text/plain' }
}

// ---------------------------------------------------------------- email: Communication Services and its SMTP relay

resource emailService 'Microsoft.Communication/emailServices@2025-05-01' = {
  name: 'ecs-behorighet-${env}-${suffix}'
  location: 'global'
  tags: tags
  properties: { dataLocation: emailDataLocation }
}

resource emailDomain 'Microsoft.Communication/emailServices/domains@2025-05-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: 'acs-behorighet-${env}-${suffix}'
  location: 'global'
  tags: tags
  properties: {
    dataLocation: emailDataLocation
    linkedDomains: [emailDomain.id]
    disableLocalAuth: true // the SMTP relay signs in with Entra ID
  }
}

// What the SMTP relay needs and nothing more (Communication Services' documented minimum for SMTP auth).
resource smtpSendRole 'Microsoft.Authorization/roleDefinitions@2022-05-01-preview' = {
  name: guid(resourceGroup().id, 'behorighetsportal-smtp-send')
  properties: {
    roleName: 'Behörighetsportal SMTP sender (${resourceGroup().name})'
    description: 'Send email through the Azure Communication Services SMTP relay.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/Write'
        ]
      }
    ]
  }
}

resource smtpSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: communication
  name: guid(communication.id, smtpPrincipalId, smtpSendRole.id)
  properties: {
    roleDefinitionId: smtpSendRole.id
    principalId: smtpPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- the Functions app

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: 'plan-behorighet-${env}-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    scope: storage
    name: guid(storage.id, app.id, role)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: app.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, app.id, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Every setting the code reads (docs/API.md), set after the roles exist so Key Vault references and storage
// resolve on first start. Names are checked against the code by the Infra tests: add a setting here when the
// code gains one.
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // Platform: storage and durable task hub by managed identity; telemetry with Entra auth.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'

    // Email: the Communication Services SMTP relay, STARTTLS on 587, Entra app credential.
    Email__SmtpHost: 'smtp.azurecomm.net'
    Email__SmtpPort: '587'
    Email__UseStartTls: 'true'
    Email__From: empty(emailFrom) ? 'DoNotReply@${emailDomain.properties.mailFromSenderDomain}' : emailFrom
    Email__UserName: '${communication.name}.${smtpClientId}.${tenant().tenantId}'
    Email__Password: '@Microsoft.KeyVault(SecretUri=${vaultUri}/secrets/${secretNames.smtpPassword}/)'

    Portal__BaseUrl: empty(portalBaseUrl) ? 'https://${app.properties.defaultHostName}' : portalBaseUrl
    Links__SigningKey: '@Microsoft.KeyVault(SecretUri=${vaultUri}/secrets/${secretNames.signingKey}/)'
    Links__PreviousSigningKeys: '@Microsoft.KeyVault(SecretUri=${vaultUri}/secrets/${secretNames.previousSigningKeys}/)'
    Integration__KivKey: '@Microsoft.KeyVault(SecretUri=${vaultUri}/secrets/${secretNames.kivKey}/)'
    Integration__MarknadsplatsenKey: '@Microsoft.KeyVault(SecretUri=${vaultUri}/secrets/${secretNames.marknadsplatsenKey}/)'
    Auth__HsaIdClaim: hsaIdClaim
    // The portal's pages sign people in and out through App Service Authentication (Entra ID, SITHS at the IdP).
    Pages__SignInUrl: '/.auth/login/aad?post_login_redirect_uri={0}'
    Pages__SignOutUrl: '/.auth/logout'

    Workflow__ApprovalReminderAfter: approvalReminderAfter
    Workflow__ApprovalExpiresAfter: approvalExpiresAfter
    Workflow__AttestationExpiresAfter: attestationExpiresAfter
    Delegations__MaxPeriodDays: string(delegationMaxPeriodDays)

    Demo__Seed: 'false' // the devhost's demo organisation never loads in Azure

    // Policies:Administrators:{administration} = comma-separated HSA-ids.
    ...toObject(items(policyAdministrators), admin => 'Policies__Administrators__${admin.key}', admin => string(admin.value))
  }
  dependsOn: [
    storageRoles
    vaultReader
    telemetryPublisher
    packageContainer
    signingKeySecret
    previousSigningKeysSecret
    smtpPasswordSecret
    kivKeySecret
    marknadsplatsenKeySecret
  ]
}

// App Service Authentication: people sign in with Entra ID; the integration routes (function key) and the
// health probe pass without sign-in.
resource authentication 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
        '/api/attestations/*'
        '/api/kiv/*'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            authClientId
            'api://${authClientId}'
          ]
        }
      }
    }
    login: { tokenStore: { enabled: false } }
    httpSettings: {
      requireHttps: true
      forwardProxy: { convention: 'NoProxy' }
    }
  }
}

output functionAppName string = app.name
output functionAppUrl string = 'https://${app.properties.defaultHostName}'
output storageAccountName string = storage.name
output keyVaultName string = vault.name
output applicationInsightsName string = insights.name
output communicationServiceName string = communication.name
output emailSender string = empty(emailFrom) ? 'DoNotReply@${emailDomain.properties.mailFromSenderDomain}' : emailFrom
