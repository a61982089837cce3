extension microsoftGraphV1

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: 'app'
  displayName: 'App'

  resource fic 'federatedIdentityCredentials' = {
    name: '${app.uniqueName}/fic'
    audiences: ['api://AzureADTokenExchange']
    issuer: 'https://issuer'
    subject: 'subject'
  }
}

resource sp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
}

output spId string = sp.id
