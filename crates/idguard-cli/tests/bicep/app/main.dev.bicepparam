using './main.bicep'

param environment = 'dev'
param identityName = 'id-orders'
