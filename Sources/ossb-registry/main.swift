print("ossb-registry")
