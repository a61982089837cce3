resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-dev'
  location: 'westeurope'
}

module viaAlias 'br/modules:bicep/modules/grant:v1' = {
  name: 'alias-grant'
  params: {
    principalId: identity.properties.principalId
  }
}
