// Registry modules named through the aliases of ../bicepconfig.json.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-dev'
  location: 'westeurope'
}

module viaAlias 'br/modules:grant:v1' = {
  name: 'alias-grant'
  params: {
    principalId: identity.properties.principalId
  }
}

module viaBareAlias 'br/bare:bicep/modules/grant:v1' = {
  name: 'bare-alias-grant'
  params: {
    principalId: identity.properties.principalId
  }
}

module unknownAlias 'br/nosuch:grant:v1' = {
  name: 'unknown-alias-grant'
  params: {
    principalId: identity.properties.principalId
  }
}
