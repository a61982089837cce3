resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-x'
  location: 'westeurope'
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(uami.id)
  properties: {
    principalId: uami.properties.principalId
    roleDefinitionId:
