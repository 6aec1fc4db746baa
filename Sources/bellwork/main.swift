print("bellwork")
