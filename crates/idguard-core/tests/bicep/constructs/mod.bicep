param name string
param list array = []
@secure()
param secret string = ''
@secure()
param direct string = ''

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: 'westeurope'
}

output principalId string = uami.properties.principalId
