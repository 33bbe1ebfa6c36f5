using Dendrite;
Console.WriteLine(new NDArray<int>([1, 2, 3]).Shape);
