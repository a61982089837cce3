// An orders API: one template, a local module, a registry module, one
// .bicepparam file per environment.
param environment string
param identityName string
param location string = resourceGroup().location

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: {
    owner: 'orders-team'
    workload: 'orders'
  }
}

resource queueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, identity.id, 'queue-reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
    principalId: identity.properties.principalId
  }
}

module contributor 'modules/grant.bicep' = {
  name: 'contributor-${environment}'
  scope: subscription()
  params: {
    principalId: identity.properties.clientId
  }
}

module fromRegistry 'br:example.azurecr.io/bicep/modules/grant:v1' = {
  name: 'registry-grant'
  params: {
    principalId: identity.properties.principalId
  }
}

module notRestored 'br/public:avm/res/storage/storage-account:0.9.0' = {
  name: 'storage'
  params: {
    name: 'st${environment}'
  }
}
