using './main.bicep'

param environment = 'prod'
param identityName = 'id-orders'
