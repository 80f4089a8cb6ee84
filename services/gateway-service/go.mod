module gateway-service

go 1.19
