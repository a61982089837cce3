// A payments API on App Service with a user-assigned identity, deployed
// once per environment (main.dev.bicepparam, main.prod.bicepparam).
// It has the mistakes idguard exists to catch: run `idguard check examples/`.
metadata description = 'A payments API on App Service with a user-assigned identity.'

@allowed([
  'dev'
  'prod'
])
param environment string

@description('The identity the API runs as.')
param identityName string

param location string = resourceGroup().location

var appName = 'app-payments-${environment}'
var planName = 'plan-payments-${environment}'
var vaultName = 'kv-payments-${environment}'

// Built-in role definition IDs
var roles = {
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: {
    owner: 'payments-team'
    workload: 'payments'
  }
}

resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: planName
  location: location
  sku: {
    name: 'P1v3'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
  }
}

resource app 'Microsoft.Web/sites@2022-09-01' = {
  name: appName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    siteConfig: {
      appSettings: [
        {
          // The SDKs read AZURE_CLIENT_ID: this is the principal ID.
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.principalId
        }
        {
          name: 'KEYVAULT_URI'
          value: 'https://${vaultName}.vault.azure.net/'
        }
      ]
    }
  }
}

// The API reads its secrets: Key Vault Secrets User on the vault.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
  }
}

// "It needs to read a few things in the subscription."
module subscriptionAccess 'modules/subscription-role.bicep' = {
  name: 'subscription-access'
  scope: subscription()
  params: {
    principalId: identity.properties.clientId
    roleId: roles.contributor
  }
}
