using System;

namespace Demo
{
    /// <summary>A greeter.</summary>
    public class Greeter
    {
        /// <summary>
        /// Makes a greeter.
        /// </summary>
        public Greeter(string name)
        {
            Name = name;
        }

        public string Name { get; }

        /// <summary>Greets.</summary>
        [Obsolete]
        public string Greet(bool loud)
        {
            string Shout(string s) => s.ToUpper();
            return loud ? Shout(Name) : Name;
        }

        public abstract void Later();
    }

    public struct Pair
    {
        public int Sum() => A + B;
    }
}
